package markdown

import (
	"strconv"
	"strings"
)

// Doc builds a Markdown document line by line: headings, list items,
// checkbox items, numbered steps, tables and indented code blocks. Values
// go in only through its quoting methods (Text, Code, CodeCell, Verbatim)
// and Num; the first value that cannot go into Markdown is kept, and Bytes
// returns it instead of the document.
type Doc struct {
	b   strings.Builder
	err error
	// indent is where the text of the last item starts, for Cont.
	indent string
}

func (d *Doc) keep(s string, err error) string {
	if err != nil && d.err == nil {
		d.err = err
	}
	return s
}

// Text is s as prose (the package's Text), Code as a code span, CodeCell
// as a code span in a table cell, Verbatim as a line of a code block.
func (d *Doc) Text(s string) string     { return d.keep(Text(s)) }
func (d *Doc) Code(s string) string     { return d.keep(Code(s)) }
func (d *Doc) CodeCell(s string) string { return d.keep(CodeCell(s)) }
func (d *Doc) Verbatim(s string) string { return d.keep(Verbatim(s)) }

// Num prints an integer (a port, a count, a step number) in decimal.
func (d *Doc) Num(n int) string { return strconv.Itoa(n) }

// Line writes one line, the parts joined; each part is literal Markdown
// or a value quoted by a method above.
func (d *Doc) Line(parts ...string) {
	for _, p := range parts {
		d.b.WriteString(p)
	}
	d.b.WriteByte('\n')
}

// Blank writes an empty line.
func (d *Doc) Blank() { d.Line() }

// Heading writes a heading of the given level (1 to 6).
func (d *Doc) Heading(level int, parts ...string) {
	d.Line(append([]string{strings.Repeat("#", level) + " "}, parts...)...)
}

// Section starts a section after what came before: a blank line, a
// level-2 heading and a blank line.
func (d *Doc) Section(parts ...string) {
	d.Blank()
	d.Heading(2, parts...)
	d.Blank()
}

// Item starts a bullet list item.
func (d *Doc) Item(parts ...string) { d.item("- ", parts) }

// Check starts a checkbox list item.
func (d *Doc) Check(parts ...string) { d.item("- [ ] ", parts) }

// Step starts step n of a numbered list of checkbox items. Its
// continuation lines are indented seven spaces whatever n is.
func (d *Doc) Step(n int, parts ...string) {
	d.item(strconv.Itoa(n)+". [ ] ", parts)
	d.indent = "       "
}

func (d *Doc) item(marker string, parts []string) {
	d.Line(append([]string{marker}, parts...)...)
	d.indent = strings.Repeat(" ", len(marker))
}

// Cont writes a continuation line of the last item, indented to its text.
func (d *Doc) Cont(parts ...string) { d.Line(append([]string{d.indent}, parts...)...) }

// Row writes a table row of the given cells; each cell is literal
// Markdown or a value quoted for a cell (CodeCell, Text, Num).
func (d *Doc) Row(cells ...string) { d.Line("| ", strings.Join(cells, " | "), " |") }

// Table writes a table's header row and its delimiter row.
func (d *Doc) Table(headers ...string) {
	d.Row(headers...)
	d.Line("|", strings.Repeat("---|", len(headers)))
}

// CodeLine writes one line of an indented code block (after a blank line).
func (d *Doc) CodeLine(parts ...string) { d.Line(append([]string{"    "}, parts...)...) }

// Bytes returns the document, or the first value that could not go in.
func (d *Doc) Bytes() ([]byte, error) {
	if d.err != nil {
		return nil, d.err
	}
	return []byte(d.b.String()), nil
}
