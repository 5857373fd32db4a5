package ps

import (
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/psparse"
)

func TestQuote(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "''"},
		{"plain", "'plain'"},
		{"it's", "'it''s'"},
		{"$(Remove-Item C:\\)", "'$(Remove-Item C:\\)'"},
		{"a`b\"c;d", "'a`b\"c;d'"},
		{"line1\nline2\r\n", "'line1\nline2\r\n'"},
		// Each smart single quote ends a literal in real PowerShell, so it
		// is doubled too; tree-sitter does not model them (test-infra §1a).
		{"\u2018", "'\u2018\u2018'"},
		{"\u2019", "'\u2019\u2019'"},
		{"\u201a", "'\u201a\u201a'"},
		{"\u201b", "'\u201b\u201b'"},
		{"a\u2019; Write-Output pwned; \u2018", "'a\u2019\u2019; Write-Output pwned; \u2018\u2018'"},
		// Smart double quotes end only double-quoted strings: left alone.
		{"\u201c\u201d\u201e", "'\u201c\u201d\u201e'"},
	} {
		if got := Quote(c.in); got != c.want {
			t.Errorf("Quote(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestQuoteList(t *testing.T) {
	if got := QuoteList(nil); got != "@()" {
		t.Errorf("QuoteList(nil) = %q", got)
	}
	if got, want := QuoteList([]string{"a", "b'c"}), "@('a', 'b''c')"; got != want {
		t.Errorf("QuoteList = %q, want %q", got, want)
	}
}

func TestCommentText(t *testing.T) {
	for _, in := range []string{"a\nb", "x #> Remove-Item C:\\ <# y", "##>>", "\r\n#\r\n>"} {
		got := CommentText(in)
		if strings.ContainsAny(got, "\r\n") || strings.Contains(got, "#>") || strings.Contains(got, "<#") {
			t.Errorf("CommentText(%q) = %q still ends a comment", in, got)
		}
	}
}

// quoteSeeds are values that break naive quoting.
var quoteSeeds = []string{
	"", "'", "''", "'''", "`", "`'", "$x", "$(Remove-Item C:\\ -Recurse)", "${env:PATH}",
	"a;b", "'; Remove-Item C:\\ -Recurse; '", "\n", "\r", "\r\n", "a\nb'\nc", "\x00", "nul\x00'",
	"\u2018", "\u2019", "\u201a", "\u201b", "\u201c", "\u201d", "\u201e",
	"\u2019; Write-Output pwned; \u2018", "'\u2019", "\u2018'", "\u201c$(x)\u201d",
	"\U0001F600 emoji", "#", "<#", "#>", "@'", "'@", "\"", "\\'", "C:\\Program Files\\",
}

// FuzzQuote puts a value into a script line, parses it, and wants exactly
// one string literal whose content, decoded by PowerShell's rule, is the
// value. The seeds run in every go test.
func FuzzQuote(f *testing.F) {
	for _, s := range quoteSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		if !isValidUTF8(value) {
			t.Skip("values come from YAML, which is UTF-8")
		}
		if strings.ContainsRune(value, 0) {
			if newValues().str("v", value).err == nil {
				t.Fatalf("%q: the values block accepted a NUL", value)
			}
			return
		}
		src := []byte("$v = " + Quote(value) + "\n")
		if errs := psparse.Errors(src); len(errs) > 0 {
			t.Fatalf("%q: script does not parse: %v", value, errs)
		}
		lits := psparse.StringLiterals(src)
		if len(lits) != 1 {
			t.Fatalf("%q: %d string literals, want 1: %+v", value, len(lits), lits)
		}
		lit := lits[0]
		if lit.Kind != psparse.Verbatim || lit.Start != 5 || lit.End != len(src)-1 {
			t.Fatalf("%q: literal %+v does not cover exactly the quoted value", value, lit)
		}
		if lit.Value != value {
			t.Fatalf("decoded %q, want %q", lit.Value, value)
		}
	})
}

func isValidUTF8(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
