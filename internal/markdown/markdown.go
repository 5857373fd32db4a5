// Package markdown turns values into Markdown that shows them as they are:
// the one quoting function set for every emitted Markdown file (the
// checklists and the external balancer notes), and Doc, the builder those
// files are written with. A value can never add a
// line, a list item, a table cell, a heading, a link, emphasis or HTML.
// The rules cited are CommonMark 0.31 (https://spec.commonmark.org/0.31.2/)
// and its GitHub tables extension (https://github.github.com/gfm/#tables-extension-).
package markdown

import (
	"fmt"
	"strings"
)

// ValueError says why a value cannot be written into Markdown at all.
type ValueError struct {
	Value  string
	Reason string
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("the value %q %s, which cannot go into a Markdown file; remove it from the answers", e.Value, e.Reason)
}

// refuse reports what no quoting can carry: a line break ends the line a
// value sits on (and may start a list item or a heading), and a NUL is
// replaced or dropped by every reader. CommonMark's line endings are LF and
// CR (§2.1); NEL, U+2028 and U+2029 break lines in editors and browsers.
func refuse(s string) error {
	for _, r := range s {
		switch r {
		case '\n', '\r', '\u0085', '\u2028', '\u2029':
			return &ValueError{Value: s, Reason: "holds a line break"}
		case 0:
			return &ValueError{Value: s, Reason: "holds a NUL character"}
		}
	}
	return nil
}

// empty is what an empty value shows as: a code span cannot be empty.
const empty = "*(empty)*"

// Code returns s as an inline code span, which shows every character as
// itself (§6.1): the fence is one backtick longer than the longest run of
// backticks inside, and a space pads the value when it starts or ends with
// a backtick, or starts and ends with a space (one space of padding is
// stripped from each side when both are there). Not for table cells:
// use CodeCell there.
func Code(s string) (string, error) {
	if err := refuse(s); err != nil {
		return "", err
	}
	return codeSpan(s, s), nil
}

// codeSpan fences body, which is s or s with its pipes escaped.
func codeSpan(s, body string) string {
	if s == "" {
		return empty
	}
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	allSpaces := strings.Trim(s, " ") == ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") ||
		!allSpaces && strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") {
		body = " " + body + " "
	}
	fence := strings.Repeat("`", longest+1)
	return fence + body + fence
}

// CodeCell is Code for a GitHub table cell. The row is split into cells
// before any code span is seen, so a '|' ends the cell even inside one
// unless it is written '\|', which the table turns back into '|'. A '|'
// right after an odd run of backslashes cannot be written that way (the
// run's last backslash would be taken as the pipe's escape and dropped),
// so such a value is shown as escaped text instead of code.
func CodeCell(s string) (string, error) {
	if err := refuse(s); err != nil {
		return "", err
	}
	if oddBackslashesBeforePipe(s) {
		return Text(s)
	}
	return codeSpan(s, strings.ReplaceAll(s, "|", `\|`)), nil
}

func oddBackslashesBeforePipe(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			run++
		case '|':
			if run%2 == 1 {
				return true
			}
			run = 0
		default:
			run = 0
		}
	}
	return false
}

// escaped are the characters a backslash escapes everywhere in text: code
// spans (`), emphasis and strikethrough (* _ ~), links, images and
// footnotes ([ ]), HTML, autolinks and block quotes (< >), headings (#),
// table cells (|) and entity references (&). A backslash escapes any ASCII
// punctuation (§2.4), so each of these shows as itself.
const escaped = "`*_~[]<>#|&"

// Text returns s as Markdown prose that reads as s: the characters above
// are escaped, and so is a backslash that would escape the character after
// it (one before a letter stays as it is, §2.4: DOMAIN\NODE$ is left
// alone). A value that starts a line must not start a block either, so a
// leading list marker (- + or digits with . or ) and a space), '=' (a
// setext underline) or indentation is neutralised, and so is a trailing
// space (a hard break). Safe in table cells too: an escaped pipe stays
// inside its cell.
func Text(s string) (string, error) {
	if err := refuse(s); err != nil {
		return "", err
	}
	var b strings.Builder
	start := leadingBlock(s)
	switch {
	case start == "indent":
		// Four spaces would start an indented code block; an entity is
		// never indentation (§6.2).
		fmt.Fprintf(&b, "&#%d;", s[0])
		s = s[1:]
	case start == "marker":
		b.WriteByte('\\')
	case start != "":
		// An ordered list marker: escape its '.' or ')'.
		b.WriteString(start)
		b.WriteByte('\\')
		s = s[len(start):]
	}
	// Two spaces before the end of a line make a hard line break (§6.7);
	// a last space written as an entity never does.
	trailing := strings.HasSuffix(s, " ")
	if trailing {
		s = s[:len(s)-1]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 == len(s) || isASCIIPunct(s[i+1]) {
				b.WriteByte('\\')
			}
		case strings.IndexByte(escaped, c) >= 0:
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	if trailing {
		b.WriteString("&#32;")
	}
	return b.String(), nil
}

// leadingBlock says how s would start a block if it began a line: "indent"
// for a leading space or tab, "marker" for '-', '+' or '=' (bullet, setext
// underline or thematic break), the digits of an ordered list marker
// ("12" for "12. x"), or "" when it would not. '*', '#' and '>' are
// escaped wherever they are.
func leadingBlock(s string) string {
	if s == "" {
		return ""
	}
	switch s[0] {
	case ' ', '\t':
		return "indent"
	case '-', '+', '=':
		return "marker"
	}
	digits := 0
	for digits < len(s) && digits < 10 && s[digits] >= '0' && s[digits] <= '9' {
		digits++
	}
	// An ordered list marker is 1 to 9 digits then '.' or ')' (§5.2), then
	// a space, a tab or the end of the value (the document may go on with
	// a space).
	if digits == 0 || digits > 9 || digits == len(s) || s[digits] != '.' && s[digits] != ')' {
		return ""
	}
	if rest := s[digits+1:]; rest == "" || rest[0] == ' ' || rest[0] == '\t' {
		return s[:digits]
	}
	return ""
}

func isASCIIPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

// Verbatim returns s unchanged for a line inside an indented or fenced code
// block, where nothing is special but a line break, which it refuses.
func Verbatim(s string) (string, error) {
	if err := refuse(s); err != nil {
		return "", err
	}
	return s, nil
}
