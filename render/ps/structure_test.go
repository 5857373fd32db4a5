package ps

import (
	"strings"
	"sync"
	"testing"

	"github.com/octoha/octoha/internal/psparse"
)

// The helpers here read a rendered script's block structure from its
// layout: every script puts one statement per line, opens a block at the
// end of its header line and closes it with a lone } at the header's
// indent (multi-line layout, test-infra §1b). Comments are blanked first,
// so a comment never counts as code.

// parsed caches what the grammar says about a script: many tests read the
// same rendered scripts, and parsing is the slow part.
var parsed sync.Map // string(src) -> parsedScript

type parsedScript struct {
	lines      []string
	paragraphs []string
}

func parsedOf(src []byte) parsedScript {
	if p, ok := parsed.Load(string(src)); ok {
		return p.(parsedScript)
	}
	p := parsedScript{
		lines:      strings.Split(string(withoutComments(src)), "\r\n"),
		paragraphs: foldedParagraphs(src),
	}
	parsed.Store(string(src), p)
	return p
}

// codeLines is the script split into lines, comments blanked. The caller
// must not change the slice.
func codeLines(src []byte) []string { return parsedOf(src).lines }

func indentOf(line string) int { return len(line) - len(strings.TrimLeft(line, " ")) }

func isBlank(line string) bool { return strings.TrimSpace(line) == "" }

// findLine is the index of the first line at or after from holding want,
// or -1 (also when from is -1, a line not found before).
func findLine(lines []string, from int, want string) int {
	if from < 0 {
		return -1
	}
	for i := from; i < len(lines); i++ {
		if strings.Contains(lines[i], want) {
			return i
		}
	}
	return -1
}

// findLines lists the index of every line holding want.
func findLines(lines []string, want string) []int {
	var out []int
	for i, l := range lines {
		if strings.Contains(l, want) {
			out = append(out, i)
		}
	}
	return out
}

// nextCode is the next non-blank line after i, trimmed, or "".
func nextCode(lines []string, i int) string {
	for j := i + 1; j < len(lines); j++ {
		if !isBlank(lines[j]) {
			return strings.TrimSpace(lines[j])
		}
	}
	return ""
}

// blockHeader is the index of the header line of the innermost block
// holding line i: the closest line above it, indented less, that opens a
// block. -1 when line i is at the top level.
func blockHeader(lines []string, i int) int {
	if i < 0 || i >= len(lines) {
		return -1
	}
	d := indentOf(lines[i])
	for j := i - 1; j >= 0; j-- {
		if isBlank(lines[j]) {
			continue
		}
		if indentOf(lines[j]) < d && strings.HasSuffix(strings.TrimSpace(lines[j]), "{") {
			return j
		}
	}
	return -1
}

// branchChain lists the headers of the if / elseif / else chain whose
// branch holds line i, top first, the branch holding line i last (trimmed,
// e.g. "elseif (-not $changed) {"). Line i's block may also be a try,
// foreach or function: then the chain is that one header.
func branchChain(lines []string, i int) []string {
	h := blockHeader(lines, i)
	if h < 0 {
		return nil
	}
	chain := []string{strings.TrimSpace(lines[h])}
	d := indentOf(lines[h])
	for cur := h; strings.HasPrefix(chain[0], "elseif ") || strings.HasPrefix(chain[0], "else "); {
		closing := cur - 1
		for closing >= 0 && isBlank(lines[closing]) {
			closing--
		}
		if closing < 0 || strings.TrimSpace(lines[closing]) != "}" || indentOf(lines[closing]) != d {
			break
		}
		open := closing - 1
		for open >= 0 && !(indentOf(lines[open]) == d && !isBlank(lines[open]) && strings.HasSuffix(strings.TrimSpace(lines[open]), "{")) {
			open--
		}
		if open < 0 {
			break
		}
		chain = append([]string{strings.TrimSpace(lines[open])}, chain...)
		cur = open
	}
	return chain
}

// innermost is the last header of a chain (the branch holding the line),
// or "".
func innermost(chain []string) string {
	if len(chain) == 0 {
		return ""
	}
	return chain[len(chain)-1]
}

// functionBody is the text of the named function, header to closing
// brace, comments blanked; "" when the script does not define it.
func functionBody(src []byte, name string) string {
	lines := codeLines(src)
	start := findLine(lines, 0, "function "+name+" {")
	if start < 0 {
		return ""
	}
	d := indentOf(lines[start])
	for end := start + 1; end < len(lines); end++ {
		if strings.TrimSpace(lines[end]) == "}" && indentOf(lines[end]) == d {
			return strings.Join(lines[start:end+1], "\n")
		}
	}
	return ""
}

// commentParagraphs joins runs of comment lines with nothing but line
// breaks between them, and splits a <# #> help block at its blank lines, so
// a test can ask what one comment paragraph says. Each paragraph's white
// space is folded to single spaces, so a phrase matches across a line break.
func commentParagraphs(src []byte) []string { return parsedOf(src).paragraphs }

func foldedParagraphs(src []byte) []string {
	var out []string
	for _, p := range rawCommentParagraphs(src) {
		out = append(out, strings.Join(strings.Fields(p), " "))
	}
	return out
}

func rawCommentParagraphs(src []byte) []string {
	var out []string
	var run strings.Builder
	lastEnd := -1
	flush := func() {
		if run.Len() > 0 {
			out = append(out, run.String())
			run.Reset()
		}
	}
	for _, c := range psparse.Comments(src) {
		if strings.HasPrefix(c.Text, "<#") {
			flush()
			for _, p := range strings.Split(strings.ReplaceAll(c.Text, "\r\n", "\n"), "\n\n") {
				out = append(out, p)
			}
			lastEnd = -1
			continue
		}
		if lastEnd < 0 || strings.TrimSpace(string(src[lastEnd:c.Start])) != "" {
			flush()
		}
		run.WriteString(strings.TrimPrefix(c.Text, "#"))
		run.WriteString("\n")
		lastEnd = c.End
	}
	flush()
	return out
}

// TestStructureHelpers proves the helpers read a known layout right, so a
// check built on them cannot pass by reading nothing.
func TestStructureHelpers(t *testing.T) {
	src := []byte(strings.Join([]string{
		"# a comment",
		"# that goes on",
		"$x = 1",
		"if ($a) {",
		"    Write-Output 'a'",
		"}",
		"elseif (-not $changed) {",
		"    # not code: Write-Output 'c'",
		"    Write-Output 'b'",
		"}",
		"else {",
		"    Write-Output 'c'",
		"}",
		"function F {",
		"    try {",
		"        & $FilePath",
		"    }",
		"    catch {",
		"        throw 'x'",
		"    }",
		"}",
		"<#",
		"one",
		"",
		"two [INFER]",
		"#>",
	}, "\r\n"))
	lines := codeLines(src)
	got := branchChain(lines, findLine(lines, 0, "Write-Output 'c'"))
	want := []string{"if ($a) {", "elseif (-not $changed) {", "else {"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("branchChain = %q, want %q", got, want)
	}
	if got := branchChain(lines, findLine(lines, 0, "& $FilePath")); len(got) != 1 || got[0] != "try {" {
		t.Errorf("branchChain in a try = %q", got)
	}
	if branchChain(lines, findLine(lines, 0, "$x = 1")) != nil {
		t.Error("a top-level line has no chain")
	}
	if body := functionBody(src, "F"); !strings.Contains(body, "throw 'x'") || strings.Contains(body, "elseif") {
		t.Errorf("functionBody(F) = %q", body)
	}
	paras := commentParagraphs(src)
	if len(paras) != 4 || !strings.Contains(paras[0], "that goes on") || !strings.Contains(paras[3], "two [INFER]") {
		t.Errorf("commentParagraphs = %q", paras)
	}
}
