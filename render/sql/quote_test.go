package sql

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// hostileNames are the seeds of the fuzz tests and the names of the
// hostile answers the parser test renders: quotes, brackets, statement
// ends, line breaks that could start a sqlcmd command or a GO, Unicode
// quotes, and $(NAME), which sqlcmd would replace.
var hostileNames = []string{
	"",
	"Octopus",
	`CORP\svc-octopus`,
	"O'Brien",
	"a]b",
	"]]",
	"[x]",
	"x'); DROP DATABASE master; --",
	"x]; DROP DATABASE master; --",
	"a\nGO\nDROP DATABASE master",
	"a\r\n:!! calc.exe\r\n",
	"a\n:setvar InstallingAdmin evil\n",
	"smart ‘quotes’ and “double” ʼ",
	"$(PATH)",
	"$(InstallingAdmin)",
	"a$(b)c$$(d)",
	"$",
	"($)",
	"tab\there",
	"nul\x00byte",
	"emoji 😀 and é",
	"/* not a comment */ -- nor this",
	"N'x'",
}

func TestStrKeepsTheValueAndTheFilePlain(t *testing.T) {
	for _, s := range hostileNames {
		checkStr(t, s)
	}
}

func TestIdentBracketsAndDoublesTheClosingBracket(t *testing.T) {
	cases := map[string]string{"Octopus": "[Octopus]", "a]b": "[a]]b]", "[x]": "[[x]]]", "": "[]"}
	for in, want := range cases {
		if got := Ident(in); got != want {
			t.Errorf("Ident(%q) = %s, want %s", in, got, want)
		}
	}
	for _, s := range hostileNames {
		checkIdent(t, s)
	}
}

func TestStrSplitsSqlcmdVariables(t *testing.T) {
	if got, want := Str("a$(b)"), "N'a$' + N'(b)'"; got != want {
		t.Errorf("Str(a$(b)) = %s, want %s", got, want)
	}
	if got, want := Str("it's"), "N'it''s'"; got != want {
		t.Errorf("Str(it's) = %s, want %s", got, want)
	}
	if got, want := Str("a’"), "N'a' + NCHAR(8217)"; got != want {
		t.Errorf("Str(a’) = %s, want %s", got, want)
	}
	if got, want := Str("😀"), "NCHAR(55357) + NCHAR(56832)"; got != want {
		t.Errorf("Str(😀) = %s, want %s", got, want)
	}
}

func FuzzStr(f *testing.F) {
	for _, s := range hostileNames {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "?")
		}
		checkStr(t, s)
	})
}

func FuzzIdent(f *testing.F) {
	for _, s := range hostileNames {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkIdent(t, s) })
}

// checkStr holds Str's promises: its value is s, and its text is printable
// ASCII holding no $( for sqlcmd to replace.
func checkStr(t *testing.T, s string) {
	t.Helper()
	text := Str(s)
	got, rest, err := evalExpr(text, nil)
	if err != nil || rest != "" || got != s {
		t.Fatalf("Str(%q) = %s, which reads back as %q (rest %q, %v)", s, text, got, rest, err)
	}
	for _, r := range text {
		if r < 0x20 || r >= 0x7f {
			t.Fatalf("Str(%q) = %q holds %U", s, text, r)
		}
	}
	if strings.Contains(text, "$(") {
		t.Fatalf("Str(%q) = %s holds $(, which sqlcmd replaces", s, text)
	}
}

// checkIdent holds that Ident(s) is one identifier whose name is s, and
// that inside a Str it stays whole.
func checkIdent(t *testing.T, s string) {
	t.Helper()
	got, err := unident(Ident(s))
	if err != nil || got != s {
		t.Fatalf("Ident(%q) = %s reads back as %q, %v", s, Ident(s), got, err)
	}
	if utf8.ValidString(s) {
		if v, _, err := evalExpr(Str("USE "+Ident(s)+";"), nil); err != nil || v != "USE "+Ident(s)+";" {
			t.Fatalf("Str of a statement naming %q reads back as %q, %v", s, v, err)
		}
	}
}

func TestCommentKeepsValuesOnOneLineWithoutVariables(t *testing.T) {
	for _, s := range hostileNames {
		c := commentText(s)
		if strings.ContainsAny(c, "\r\n") || strings.Contains(c, "$(") {
			t.Errorf("commentText(%q) = %q", s, c)
		}
		for _, r := range c {
			if r < 0x20 || r >= 0x7f {
				t.Errorf("commentText(%q) = %q holds %U", s, c, r)
			}
		}
	}
}
