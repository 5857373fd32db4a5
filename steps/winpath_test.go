package steps

import (
	"strings"
	"testing"
)

func TestClassifyWindowsPath(t *testing.T) {
	for in, want := range map[string]PathKind{
		`\\fs01\Octopus`:        PathUNC,
		`\\fs01\Octopus\Logs`:   PathUNC,
		`\\fs01`:                PathInvalid,
		`\\fs01\`:               PathInvalid,
		`D:\Octopus`:            PathDrive,
		`d:/Octopus`:            PathDrive,
		`D:Octopus`:             PathRelative,
		`\Octopus`:              PathRelative,
		`Octopus`:               PathRelative,
		`..\Octopus`:            PathRelative,
		"":                      PathInvalid,
		"\\\\fs01\\Oct\nopus":   PathInvalid,
		`http://fs01/Octopus`:   PathInvalid,
		`\\fs01\Octo"pus`:       PathInvalid,
		`\\fs01.corp.local\O p`: PathUNC,
		// Windows file names hold no colon; PowerShell reads one after the
		// drive as another drive ($env:x in a folder name).
		`D:\Oct$env:x`:       PathInvalid,
		`\\fs01\Octopus\a:b`: PathInvalid,
		// Refused on purpose: one spelling per share (ParseWindowsPath).
		`//fs01/share`:          PathInvalid,
		`//fs01/share/x`:        PathInvalid,
		`\\fs01/share`:          PathInvalid,
		`\\?\UNC\fs02\share\x`:  PathInvalid,
		`\\?\D:\data`:           PathInvalid,
		`\\.\D:\data`:           PathInvalid,
		`\\.\pipe\sql\query`:    PathInvalid,
		`\\fs01\share\..\other`: PathUNC,
	} {
		if got := ClassifyWindowsPath(in); got != want {
			t.Errorf("ClassifyWindowsPath(%q) = %v, want %v", in, got, want)
		}
	}
}

// The refusals say what to write instead.
func TestParseWindowsPathSaysWhy(t *testing.T) {
	for in, says := range map[string]string{
		`//fs01/share`:         `\\server\share`,
		`\\?\UNC\fs02\share\x`: `device prefix \\?\`,
		`\\.\D:\data`:          `device prefix \\.\`,
		`D:\a:b`:               "colon",
		`\\fs01`:               "no server and share",
	} {
		if _, err := ParseWindowsPath(in); err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("ParseWindowsPath(%q) = %v, want it to say %q", in, err, says)
		}
	}
}

func TestUNCHostAndDrive(t *testing.T) {
	for in, want := range map[string][2]string{
		`\\fs01.corp.local\Octopus`: {"fs01.corp.local", ""},
		`\\fs01\Octopus\TaskLogs`:   {"fs01", ""},
		`c:\OctopusShared`:          {"", "C:"},
		`//10.0.0.9/share`:          {"", ""},
		`\\?\UNC\fs02\share\x`:      {"", ""},
		`Octopus`:                   {"", ""},
	} {
		if got := [2]string{UNCHost(in), DriveOf(in)}; got != want {
			t.Errorf("UNCHost, DriveOf(%q) = %q, want %q", in, got, want)
		}
	}
}
