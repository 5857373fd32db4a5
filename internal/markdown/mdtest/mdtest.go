// Package mdtest reads the shape of a Markdown document, for tests that
// put hostile values into one: a value quoted right changes no line's
// kind, no table row's cells, and adds no active inline syntax.
package mdtest

import (
	"fmt"
	"regexp"
	"strings"
)

// Shape describes each line of doc: its block kind (blank, heading and
// level, bullet or numbered list item, table row and cell count, block
// quote, thematic break or setext underline, fence, line inside a fenced
// or indented code block, or text), its indentation, how many code spans
// it holds, and the inline syntax left active outside them (emphasis,
// strikethrough, link brackets, HTML, entity references, stray backticks,
// hard breaks). It is a line-by-line approximation of CommonMark and GitHub
// tables, enough to compare the same document rendered with tame and with
// hostile values.
func Shape(doc string) []string {
	var out []string
	fence := ""
	prevBlank := true
	for _, line := range strings.Split(doc, "\n") {
		trimmed := strings.TrimLeft(line, " \t")
		indent := len(line) - len(trimmed)
		var kind, rest string
		switch {
		case fence != "":
			kind = "code"
			if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]) == "" {
				kind, fence = "fence", ""
			}
		case trimmed == "":
			kind = "blank"
		case prevBlank && indent >= 4:
			kind = "indented code"
		case fenceRE.MatchString(trimmed) && !backtickInInfo(trimmed):
			kind = "fence"
			fence = fenceRE.FindString(trimmed)
		case breakRE.MatchString(trimmed):
			kind = "break " + trimmed[:1]
		case headingRE.MatchString(trimmed):
			kind = "heading " + strings.TrimRight(headingRE.FindString(trimmed), " ")
			rest = trimmed
		case bulletRE.MatchString(trimmed):
			kind = "bullet " + trimmed[:1]
			rest = trimmed[1:]
		case orderedRE.MatchString(trimmed):
			kind = "numbered"
			rest = orderedRE.ReplaceAllString(trimmed, "")
		case strings.HasPrefix(trimmed, ">"):
			kind = "quote"
			rest = trimmed[1:]
		case strings.HasPrefix(trimmed, "|"):
			cells := splitCells(trimmed)
			kind = fmt.Sprintf("table %d cells", len(cells))
			var spans int
			var active []string
			for _, c := range cells {
				s, a := inline(strings.ReplaceAll(c, `\|`, "|"), true)
				spans += s
				active = append(active, a...)
			}
			out = append(out, fmt.Sprintf("indent %d, %s, %d code spans, active %q", indent, kind, spans, active))
			prevBlank = false
			continue
		default:
			kind = "text"
			rest = trimmed
		}
		if kind == "code" || kind == "indented code" || kind == "fence" {
			rest = ""
		}
		spans, active := inline(rest, false)
		if strings.HasSuffix(line, "  ") || (len(line)-len(strings.TrimRight(line, `\`)))%2 == 1 {
			active = append(active, "hard break")
		}
		out = append(out, fmt.Sprintf("indent %d, %s, %d code spans, active %q", indent, kind, spans, active))
		prevBlank = kind == "blank"
	}
	return out
}

var (
	fenceRE   = regexp.MustCompile("^(```+|~~~+)")
	breakRE   = regexp.MustCompile(`^(=+|-{2,}|(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})[ \t]*$`)
	headingRE = regexp.MustCompile(`^#{1,6}( |$)`)
	bulletRE  = regexp.MustCompile(`^[-+*]([ \t]|$)`)
	orderedRE = regexp.MustCompile(`^[0-9]{1,9}[.)]([ \t]|$)`)
	entityRE  = regexp.MustCompile(`^&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});`)
)

// backtickInInfo says a line that starts with backticks is no fence: a
// backtick fence's info string may not hold a backtick (§4.5), so a code
// span at the start of a line never opens a code block.
func backtickInInfo(line string) bool {
	f := fenceRE.FindString(line)
	return f[0] == '`' && strings.Contains(line[len(f):], "`")
}

// splitCells splits a table row as GitHub does, before any inline parsing:
// a backslash and the character after it are one unit, so only a pipe not
// taken by a backslash ends a cell.
func splitCells(row string) []string {
	var cells []string
	start := 0
	for i := 0; i < len(row); i++ {
		switch row[i] {
		case '\\':
			i++
		case '|':
			cells = append(cells, row[start:i])
			start = i + 1
		}
	}
	cells = append(cells, row[start:])
	// The leading and trailing pipes bound the row; they open no cell.
	if len(cells) > 0 && strings.TrimSpace(cells[0]) == "" {
		cells = cells[1:]
	}
	if len(cells) > 0 && strings.TrimSpace(cells[len(cells)-1]) == "" {
		cells = cells[:len(cells)-1]
	}
	return cells
}

// inline counts the code spans of one line (CommonMark §6.1: a run of n
// backticks up to the next run of exactly n) and lists the syntax active
// outside them and outside backslash escapes. In a table cell a '|' is
// text (the cell split took the live ones).
func inline(s string, cell bool) (spans int, active []string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]):
			i++
		case c == '`':
			n := run(s, i, '`')
			if end := closing(s, i+n, n); end >= 0 {
				spans++
				i = end + n - 1
				continue
			}
			active = append(active, s[i:i+n])
			i += n - 1
		case c == '&':
			if m := entityRE.FindString(s[i:]); m != "" && m != "&#32;" && m != "&#9;" {
				active = append(active, m)
			}
		case strings.IndexByte("*_~[]<>", c) >= 0 || c == '|' && !cell:
			active = append(active, string(c))
		}
	}
	return spans, active
}

func run(s string, i int, c byte) int {
	n := 0
	for i+n < len(s) && s[i+n] == c {
		n++
	}
	return n
}

// closing is where the next run of exactly n backticks after from starts,
// or -1.
func closing(s string, from, n int) int {
	for i := from; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		m := run(s, i, '`')
		if m == n {
			return i
		}
		i += m
	}
	return -1
}

func isASCIIPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

// Diff returns the first line where two shapes differ, with that line of
// each document, or "" when they are the same.
func Diff(tameDoc, hostileDoc string) string {
	tame, hostile := Shape(tameDoc), Shape(hostileDoc)
	tameLines, hostileLines := strings.Split(tameDoc, "\n"), strings.Split(hostileDoc, "\n")
	for i := range max(len(tame), len(hostile)) {
		if i >= len(tame) || i >= len(hostile) || tame[i] != hostile[i] {
			at := func(shape, lines []string) string {
				if i >= len(shape) {
					return "(no line)"
				}
				return fmt.Sprintf("%s\n\t\t%q", shape[i], lines[i])
			}
			return fmt.Sprintf("line %d (of %d and %d):\n\ttame:    %s\n\thostile: %s", i+1, len(tame), len(hostile), at(tame, tameLines), at(hostile, hostileLines))
		}
	}
	return ""
}

// Code lists what a reader copies out of doc: the text of every code span
// as it shows (CommonMark §6.1: one space is stripped from each end when
// both ends have one and the text is not all spaces; in a table cell a
// '\|' shows as '|'), and every line of a fenced or indented code block
// without the block's indentation. It reads the blocks as Shape does.
func Code(doc string) []string {
	var out []string
	shape := Shape(doc)
	for i, line := range strings.Split(doc, "\n") {
		kind := shape[i]
		trimmed := strings.TrimLeft(line, " \t")
		switch {
		case strings.Contains(kind, ", code,"):
			out = append(out, line)
		case strings.Contains(kind, ", indented code,"):
			out = append(out, line[min(4, len(line)-len(trimmed)):])
		case strings.Contains(kind, ", table "):
			for _, c := range splitCells(trimmed) {
				out = append(out, spanTexts(strings.ReplaceAll(c, `\|`, "|"))...)
			}
		default:
			out = append(out, spanTexts(trimmed)...)
		}
	}
	return out
}

// spanTexts is the text of each code span of one line, as inline finds
// them.
func spanTexts(s string) []string {
	var out []string
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]):
			i++
		case c == '`':
			n := run(s, i, '`')
			end := closing(s, i+n, n)
			if end < 0 {
				i += n - 1
				continue
			}
			text := s[i+n : end]
			if len(text) >= 2 && text[0] == ' ' && text[len(text)-1] == ' ' && strings.Trim(text, " ") != "" {
				text = text[1 : len(text)-1]
			}
			out = append(out, text)
			i = end + n - 1
		}
	}
	return out
}
