package steps

import (
	"errors"
	"fmt"
	"strings"
)

// PathKind says what kind of Windows path a string is.
type PathKind int

const (
	// PathInvalid is not a Windows path octoha writes into a script.
	PathInvalid PathKind = iota
	// PathRelative resolves against whatever folder or drive is current.
	PathRelative
	// PathDrive is a full path on a drive letter: C:\Octopus.
	PathDrive
	// PathUNC is a share: \\server\share\folder.
	PathUNC
)

// ClassifyWindowsPath tells a UNC path from a drive path from a relative
// one (ParseWindowsPath without the reason).
func ClassifyWindowsPath(s string) PathKind {
	k, _ := ParseWindowsPath(s)
	return k
}

// ParseWindowsPath says what kind of Windows path s is and, for
// PathInvalid, why. It never uses path/filepath: on Linux a backslash is an
// ordinary character there.
//
// Two spellings Windows itself accepts are refused on purpose, so that a
// share has one spelling in the scripts, the checklists and the live checks:
// //server/share (write \\server\share) and the \\?\ and \\.\ device
// prefixes, which switch off Windows' own path parsing and only lift the
// 260-character limit that Octopus's folders do not reach.
func ParseWindowsPath(s string) (PathKind, error) {
	switch {
	case s == "":
		return PathInvalid, errors.New("is empty")
	case strings.HasPrefix(s, `\\?\`) || strings.HasPrefix(s, `\\.\`):
		return PathInvalid, fmt.Errorf(`starts with the device prefix %s, which octoha does not write: give the plain path, \\server\share\folder or D:\folder`, s[:4])
	case strings.ContainsAny(s, "\x00\r\n\t\"<>|?*"):
		return PathInvalid, errors.New(`holds a character Windows paths cannot hold (", <, >, |, ?, * or a control character)`)
	case strings.HasPrefix(s, `\\`):
		return classifyUNC(s)
	case strings.HasPrefix(s, `//`) || strings.HasPrefix(s, `\/`) || strings.HasPrefix(s, `/\`):
		return PathInvalid, errors.New(`is a share written with forward slashes: write it with backslashes, as \\server\share`)
	case len(s) >= 3 && isDriveLetter(s[0]) && s[1] == ':' && (s[2] == '\\' || s[2] == '/'):
		if strings.Contains(s[2:], ":") {
			return PathInvalid, errColon
		}
		return PathDrive, nil
	case len(s) >= 2 && isDriveLetter(s[0]) && s[1] == ':':
		// "C:folder" is relative to the drive's current directory.
		return PathRelative, nil
	case strings.HasPrefix(s, `\`) || strings.HasPrefix(s, `/`):
		// Rooted but driveless: relative to whatever drive is current.
		return PathRelative, nil
	case strings.Contains(s, ":"):
		return PathInvalid, errColon
	}
	return PathRelative, nil
}

// errColon: Windows file names hold no colon, and PowerShell reads one as
// a drive (FACTS.md).
var errColon = errors.New("holds a colon after its drive or share, which no Windows file name holds")

func classifyUNC(s string) (PathKind, error) {
	server, rest, _ := strings.Cut(s[2:], `\`)
	share, _, _ := strings.Cut(rest, `\`)
	switch {
	case server == "" || share == "":
		return PathInvalid, errors.New(`names no server and share: write \\server\share`)
	case strings.Contains(s[2:], ":"):
		return PathInvalid, errColon
	case strings.Contains(server+share, "/"):
		return PathInvalid, errors.New(`mixes / into the server or share name: write \\server\share with backslashes`)
	}
	return PathUNC, nil
}

func isDriveLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// UNCHost is the server part of a UNC path, or "".
func UNCHost(s string) string {
	if ClassifyWindowsPath(s) != PathUNC {
		return ""
	}
	server, _, _ := strings.Cut(s[2:], `\`)
	return server
}

// DriveOf is the drive of a drive path, upper case with its colon ("D:"),
// or "".
func DriveOf(s string) string {
	if ClassifyWindowsPath(s) != PathDrive {
		return ""
	}
	return strings.ToUpper(s[:2])
}
