package psparse

import (
	"fmt"
	"strings"
	"testing"
)

func TestErrors(t *testing.T) {
	if errs := Errors([]byte("$x = 'ok'\nWrite-Output $x\n")); len(errs) != 0 {
		t.Errorf("valid script: %v", errs)
	}
	for _, bad := range []string{"$x = 'unterminated\n", "Write-Output (1 + \n", "if ($x) {\n"} {
		if errs := Errors([]byte(bad)); len(errs) == 0 {
			t.Errorf("%q parsed without errors", bad)
		}
	}
}

func TestStringLiterals(t *testing.T) {
	// A naive quoting breakout parses cleanly but shows as two literals and
	// a command (test-infra §1): counting literals catches it.
	lits := StringLiterals([]byte("$v = 'abc'; Remove-Item C:\\ -Recurse; ''\n"))
	if len(lits) != 2 {
		t.Fatalf("got %d literals, want 2: %+v", len(lits), lits)
	}
	lits = StringLiterals([]byte("$v = 'p''a\"ss`$x;y $(Remove-Item C:\\)'\n$w = \"a $b\"\n"))
	if len(lits) != 2 || lits[0].Value != "p'a\"ss`$x;y $(Remove-Item C:\\)" || lits[0].Kind != Verbatim {
		t.Fatalf("verbatim literal: %+v", lits)
	}
	if lits[1].Kind != Expandable || !lits[1].Expands {
		t.Errorf("expandable literal: %+v", lits[1])
	}
	if got := Commands([]byte("$v = 'abc'; Remove-Item C:\\ -Recurse; ''\n")); strings.Join(got, ",") != "Remove-Item" {
		t.Errorf("Commands = %v", got)
	}
}

func TestDecodeVerbatim(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"''", ""},
		{"'a''b'", "a'b"},
		{"'a\u2019\u2019b'", "a\u2019b"},
		{"'a'\u2018b'", "a'b"},        // any quote escapes any quote
		{"'a\u2019; x; \u2018'", "a"}, // a lone smart quote ends the literal
		{"\u2018smart\u2019", "smart"},
	} {
		if got := DecodeVerbatim(c.in); got != c.want {
			t.Errorf("DecodeVerbatim(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCommentsAndFunctions(t *testing.T) {
	src := []byte("<# help #>\nfunction Get-X {\n    param()\n    'x'\n}\n# line\n")
	if c := Comments(src); len(c) != 2 || c[0].Text != "<# help #>" {
		t.Errorf("Comments = %+v", c)
	}
	if f := Functions(src); len(f) != 1 || f[0] != "Get-X" {
		t.Errorf("Functions = %v", f)
	}
}

func TestVariables(t *testing.T) {
	src := []byte("param([string] $A = 'x')\n$B = $A\n$script:C += @($env:PATH)\nforeach ($d in ${B}) { $d }\nfunction F { param($E) $E }\n")
	var got []string
	for _, v := range Variables(src) {
		got = append(got, fmt.Sprintf("%d:%s:%v:%v", v.Line, v.Name, v.Sets, v.InFunction))
	}
	want := "1:a:true:false 2:b:true:false 2:a:false:false 3:c:true:false 4:d:true:false 4:b:false:false 4:d:false:false 5:e:true:true 5:e:false:true"
	if strings.Join(got, " ") != want {
		t.Fatalf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
}
