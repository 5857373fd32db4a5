package markdown

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/markdown/mdtest"
)

// hostile are values built to change a Markdown document: code span
// fences of every length, table pipes with and without backslashes,
// emphasis, links, HTML, entity references, block starts (list markers,
// headings, quotes, breaks, setext underlines, indentation), hard breaks,
// Unicode quotes and Windows paths.
var hostile = []string{
	"plain", "octo1.corp.local", "a`b", "``", "```", "`x`", "` x `", "`", "a ``` b ` c ````", " x ", " ", "   ",
	"| pipe |", "a|b", `a\|b`, `a\\|b`, `a\\\|b`, `\|`, `|\`, `\`, "\\`", `\\`, `a\`,
	"*bold* **b** _i_ __u__ a_b_c", "~~struck~~ ~x~", "[link](http://e.example) ![img](x.png) [^1] [x]: y",
	"<script>alert(1)</script>", "<https://e.example>", "<!-- c -->", "a > b < c",
	"1. one", "1) one", "123456789. x", "1234567890. x", "1.", "2024.1.12345", "- item", "-", "+ item", "* item", "-x",
	"# head", "###### h", "#hash", "> quote", "---", "===", "***", "___", "- - -", "    code", "\tx", "x\ty",
	"&amp; &#10; &copy; &", "‘single’ “double” „low‟ ‹›«» ＂", "ünïcödé 日本", "DOMAIN\\NODE$", `C:\Program Files\Octopus`,
	`\\fs01\share\Octo*pus_`, "$x$ $$y$$", "trailing spaces  ", "trailing\\", ":smile: @user #12 www.e.example",
	"'; DROP TABLE x; --", "\u00a0nbsp\u00a0", "\u200bzero width",
}

// unbreakable are values no quoting can carry.
var unbreakable = []string{"admin\n1. step", "a\rb", "a\r\nb", "nel\u0085x", "ls\u2028x", "ps\u2029x", "nul\x00x", "\n"}

// decodeCode reads a code span as CommonMark does (§6.1).
func decodeCode(t *testing.T, q string) string {
	t.Helper()
	n := len(q) - len(strings.TrimLeft(q, "`"))
	if n == 0 || len(q) < 2*n || q[len(q)-n:] != q[:n] || strings.HasSuffix(q[:len(q)-n], "`") {
		t.Fatalf("%q is not a code span", q)
	}
	body := q[n : len(q)-n]
	if len(body) >= 2 && body[0] == ' ' && body[len(body)-1] == ' ' && strings.Trim(body, " ") != "" {
		body = body[1 : len(body)-1]
	}
	return body
}

// decodeText reads prose without active syntax: backslash escapes (§2.4)
// and numeric entity references (§2.5).
func decodeText(t *testing.T, q string) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		switch {
		case q[i] == '\\' && i+1 < len(q) && isASCIIPunct(q[i+1]):
			i++
			b.WriteByte(q[i])
		case q[i] == '&' && strings.HasPrefix(q[i:], "&#"):
			end := strings.IndexByte(q[i:], ';')
			n, err := strconv.Atoi(q[i+2 : i+end])
			if err != nil {
				t.Fatalf("%q holds an entity reference that is not ours", q)
			}
			b.WriteRune(rune(n))
			i += end
		default:
			b.WriteByte(q[i])
		}
	}
	return b.String()
}

// shapeOf is the shape of doc, which must be one line.
func shapeOf(t *testing.T, doc string) string {
	t.Helper()
	shape := mdtest.Shape(doc)
	if len(shape) != 1 {
		t.Fatalf("%q is %d lines: %q", doc, len(shape), shape)
	}
	return shape[0]
}

func TestCodeShowsAnyValueAsItself(t *testing.T) {
	for _, s := range hostile {
		q, err := Code(s)
		if err != nil {
			t.Errorf("Code(%q): %v", s, err)
			continue
		}
		if got := decodeCode(t, q); got != s {
			t.Errorf("Code(%q) = %q, which shows as %q", s, q, got)
		}
		// At the start of a line, in a list item and in a sentence, it is
		// one code span and nothing else.
		for _, c := range []struct{ line, shape string }{
			{q, "indent 0, text, 1 code spans, active []"},
			{"- [ ] see " + q + ", then", `indent 0, bullet -, 1 code spans, active ["[" "]"]`},
			{"Run " + q, "indent 0, text, 1 code spans, active []"},
		} {
			if got := shapeOf(t, c.line); got != c.shape {
				t.Errorf("Code(%q) = %q: %q has shape %s, want %s", s, q, c.line, got, c.shape)
			}
		}
	}
	for s, want := range map[string]string{
		"octo1":           "`octo1`",
		"a`b":             "``a`b``",
		"`x`":             "`` `x` ``",
		"a|b":             "`a|b`",
		" x ":             "`  x  `",
		"   ":             "`   `",
		"":                "*(empty)*",
		"```fence``` end": "```` ```fence``` end ````",
		`\\fs01\Octopus`:  "`\\\\fs01\\Octopus`",
	} {
		if got, _ := Code(s); got != want {
			t.Errorf("Code(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestCodeCellKeepsItsCell(t *testing.T) {
	for _, s := range hostile {
		q, err := CodeCell(s)
		if err != nil {
			t.Errorf("CodeCell(%q): %v", s, err)
			continue
		}
		row := "| " + q + " | TCP 80 |"
		shape := shapeOf(t, row)
		spans := 1
		if !strings.HasPrefix(q, "`") {
			spans = 0 // shown as text: see oddBackslashesBeforePipe
		}
		if want := fmt.Sprintf("indent 0, table 2 cells, %d code spans, active []", spans); shape != want {
			t.Errorf("CodeCell(%q) = %q: row %q has shape %s, want %s", s, q, row, shape, want)
			continue
		}
		// GitHub turns \| back into | in the cell, then parses it.
		cell := strings.ReplaceAll(q, `\|`, "|")
		got := decodeText(t, cell)
		if spans == 1 {
			got = decodeCode(t, cell)
		}
		if got != s {
			t.Errorf("CodeCell(%q) = %q, which shows as %q", s, q, got)
		}
	}
	for s, want := range map[string]string{
		"octo1.corp.local": "`octo1.corp.local`",
		"a|b":              "`a\\|b`",
		`a\\|b`:            "`a\\\\\\|b`",
		`a\|b`:             `a\\\|b`,
	} {
		if got, _ := CodeCell(s); got != want {
			t.Errorf("CodeCell(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestTextReadsAsItself(t *testing.T) {
	for _, s := range hostile {
		q, err := Text(s)
		if err != nil {
			t.Errorf("Text(%q): %v", s, err)
			continue
		}
		if got := decodeText(t, q); got != s {
			t.Errorf("Text(%q) = %q, which reads as %q", s, q, got)
		}
		for _, c := range []struct{ line, shape string }{
			{q + " then", "indent 0, text, 0 code spans, active []"},
			{"On **" + q + "**: run", `indent 0, text, 0 code spans, active ["*" "*" "*" "*"]`},
			{"- [ ] " + q + " has", `indent 0, bullet -, 0 code spans, active ["[" "]"]`},
			{"| " + q + " | `" + "octo1` |", "indent 0, table 2 cells, 1 code spans, active []"},
		} {
			if got := shapeOf(t, c.line); got != c.shape {
				t.Errorf("Text(%q) = %q: %q has shape %s, want %s", s, q, c.line, got, c.shape)
			}
		}
	}
	// Ordinary values, and the words the checklists print, stay as they are.
	for _, s := range []string{
		"OCTO1", "octo1.corp.local", "2024.1.12345", "https://octopus.corp.local", "https://octopus.corp.local:8443/",
		"nginx", "iis-arr", "unique-port", "every polling tentacle", `CORP\svc-octopus`, `CORP\gmsa-octopus$`,
		"each node's computer account (DOMAIN\\NODE$, the service runs as Local System)", "Task logs", "2021.3.8908",
	} {
		if got, _ := Text(s); got != s {
			t.Errorf("Text(%q) = %q, want it unchanged", s, got)
		}
	}
	for s, want := range map[string]string{
		"1. one":      `1\. one`,
		"1.":          `1\.`,
		"12) x":       `12\) x`,
		"- item":      `\- item`,
		"=":           `\=`,
		"# h":         `\# h`,
		"a|b":         `a\|b`,
		"<script>":    `\<script\>`,
		"*x*":         `\*x\*`,
		"a\\*":        `a\\\*`,
		"a\\":         `a\\`,
		"    code":    "&#32;   code",
		"trailing  ":  "trailing &#32;",
		"[x](y)":      `\[x\](y)`,
		"a`b":         "a\\`b",
		"&amp;":       `\&amp;`,
		"x_y":         `x\_y`,
		"‘quoted’ ok": "‘quoted’ ok",
	} {
		if got, _ := Text(s); got != want {
			t.Errorf("Text(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestVerbatim(t *testing.T) {
	for _, s := range hostile {
		if got, err := Verbatim(s); err != nil || got != s {
			t.Errorf("Verbatim(%q) = %q, %v", s, got, err)
		}
	}
}

// TestLineBreaksAreRefused: a line break would end the line a value sits
// on, and a NUL is dropped by readers; every function refuses them with a
// sentence that names the value.
func TestLineBreaksAreRefused(t *testing.T) {
	funcs := map[string]func(string) (string, error){"Code": Code, "CodeCell": CodeCell, "Text": Text, "Verbatim": Verbatim}
	for name, f := range funcs {
		for _, s := range unbreakable {
			got, err := f(s)
			var ve *ValueError
			if !errors.As(err, &ve) {
				t.Errorf("%s(%q) = %q, %v; want a ValueError", name, s, got, err)
				continue
			}
			if msg := err.Error(); !strings.Contains(msg, strconv.Quote(s)) || !strings.Contains(msg, "remove it from the answers") {
				t.Errorf("%s(%q): %q does not name the value and the fix", name, s, msg)
			}
		}
	}
}

// TestDocWritesBlocksAndKeepsTheFirstRefusal: the builder's blocks come
// out as Markdown reads them, and a value that cannot go in stops the
// document with the first such value's sentence.
func TestDocWritesBlocksAndKeepsTheFirstRefusal(t *testing.T) {
	var d Doc
	d.Heading(2, "Ports of ", d.Text("a|b"))
	d.Blank()
	d.Check("open ", d.Code("x`y"), " on")
	d.Cont("every node")
	d.Step(12, "run ", d.Num(443))
	d.Cont("then")
	d.Item("item")
	d.Cont("more")
	d.Blank()
	d.Table("Machine", "Port")
	d.Row(d.CodeCell("a|b"), d.Num(80))
	d.Blank()
	d.CodeLine("& ", d.Verbatim("'x'"))
	d.Section("End")
	got, err := d.Bytes()
	want := "## Ports of a\\|b\n\n- [ ] open ``x`y`` on\n      every node\n12. [ ] run 443\n       then\n- item\n  more\n\n| Machine | Port |\n|---|---|\n| `a\\|b` | 80 |\n\n    & 'x'\n\n## End\n\n"
	if err != nil || string(got) != want {
		t.Errorf("Doc = %q, %v\nwant %q", got, err, want)
	}
	shape := mdtest.Shape(string(got))
	for i, kind := range []string{"heading ##", "blank", "bullet -", "text", "numbered", "text", "bullet -", "text", "blank", "table 2 cells", "table 2 cells", "table 2 cells", "blank", "indented code", "blank", "heading ##", "blank"} {
		if !strings.Contains(shape[i], ", "+kind+",") {
			t.Errorf("line %d is %s, want %s", i+1, shape[i], kind)
		}
	}

	var bad Doc
	bad.Line(bad.Text("admin\n1. evil"), bad.Code("second\nbreak"))
	if _, err := bad.Bytes(); err == nil || err.Error() != `the value "admin\n1. evil" holds a line break, which cannot go into a Markdown file; remove it from the answers` {
		t.Errorf("Bytes after two refused values: %v", err)
	}
}

// TestMdtestCodeCopiesValuesBack: mdtest.Code, through which the
// checklist tests copy commands out of a document, gives back each value
// as a reader copies it out of a code span in a sentence, in a table cell
// and in an indented code block.
func TestMdtestCodeCopiesValuesBack(t *testing.T) {
	for _, s := range hostile {
		inline, err := Code(s)
		if err != nil {
			t.Fatal(err)
		}
		cell, err := CodeCell(s)
		if err != nil {
			t.Fatal(err)
		}
		doc := "Run " + inline + " now.\n\n    & " + s + "\n\n| " + cell + " | x |\n"
		want := []string{s, "& " + s}
		if strings.HasPrefix(cell, "`") {
			want = append(want, s)
		}
		if got := mdtest.Code(doc); strings.Join(got, "\x00") != strings.Join(want, "\x00") {
			t.Errorf("mdtest.Code(%q) = %q, want %q", doc, got, want)
		}
	}
}
