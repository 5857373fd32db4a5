package form

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/textinput"

	"github.com/octoha/octoha/validate"
)

// Layout lays the form out in h lines of w cells: title and intro, the
// rows (scrolled so the focused one shows), the findings no field shows,
// and the focused field's explanation, with the page its finding cites
// (one line, the focused field's only, so the rows stay short). The
// focused row and its findings come first: the explanation shows whole
// or gives up its lines, and an intro too long for the window gives way
// to Short. Layout moves the scroll offset, so the owner calls it from
// Update and keeps the lines for View.
func (f *Form[A]) Layout(t *Theme, a *A, c *Checks, w, h int) []string {
	top := append([]string{}, f.memo.get(memoKey{t: t, kind: memoTitle, text: f.Title}, func() []string {
		return []string{t.Title.Render(f.Title)}
	})...)
	// The rows get the lines the focused row needs first: a long intro
	// gives way to the short one, or, with none, to the rows.
	need := max(f.focusedHeight(t, a, c, w), 3)
	intro := f.memo.dim(t, f.Intro, w)
	if f.Short != "" && len(top)+len(intro)+1+need > h {
		intro = f.memo.dim(t, f.Short, w)
	}
	top = append(top, intro[:max(0, min(len(intro), h-len(top)-1-need))]...)
	top = append(top, "")

	var bottom []string
	if len(f.fields) == 0 && f.Empty != "" {
		bottom = append(bottom, t.Dim.On(f.Empty))
	}
	if loose := f.loose(c); len(loose) > 0 {
		bottom = append(bottom, "")
		bottom = f.memo.findingLines(bottom, t, loose, "", w)
	}
	if fl, ok := f.Focused(); ok {
		var explain []string
		if text, ok := fl.Explain(a); ok {
			explain = append(explain, "")
			explain = append(explain, f.memo.dim(t, text, w)...)
		}
		// A URL cut short opens nothing: on a screen too narrow for it
		// the line is left out.
		if see := "see " + citedPage(f.Messages(fl, c)); see != "see " && Width(see) <= w {
			explain = append(explain, t.Dim.On(see))
		}
		if h-len(top)-len(bottom)-len(explain) >= need {
			bottom = append(bottom, explain...)
		}
	}

	region := max(h-len(top)-len(bottom), need)
	out := append(top, Fit(f.Rows(t, a, c, w, region), region)...)
	return append(out, bottom...)
}

// focusedHeight is the lines the rows need to show the focused row whole:
// the grid's heading, the row, its findings, and the "rows a-b of n" line
// when there are other rows.
func (f *Form[A]) focusedHeight(t *Theme, a *A, c *Checks, w int) int {
	fl, ok := f.Focused()
	if !ok {
		return 0
	}
	n := 0
	if len(f.rows) > 1 {
		n++
	}
	if f.grid {
		for _, cell := range f.rows[f.FocusRow()] {
			n += len(f.memo.findingLines(nil, t, f.Messages(cell, c), "     ", w))
		}
		return n + 2
	}
	labelW := f.labelWidth()
	n += len(f.memo.findingLines(nil, t, f.Messages(fl, c), strings.Repeat(" ", labelW+4), w))
	return n + len(f.valueLines(t, a, c, fl, true, max(w-labelW-4, 10)))
}

// labelWidth is the list's label column: its longest title.
func (f *Form[A]) labelWidth() int {
	labelW := 0
	for _, fl := range f.fields {
		labelW = max(labelW, len(fl.Title()))
	}
	return labelW
}

// citedPage is the page the worst of a field's findings cites, "" when
// none does.
func citedPage(fs validate.Findings) string {
	url, worst := "", validate.OK
	for _, f := range fs {
		if f.Docs != "" && (url == "" || f.Severity > worst) {
			url, worst = f.Docs, f.Severity
		}
	}
	return url
}

// Rows lays out only the rows, in at most h lines (scrolled so the
// focused one shows), for an owner that draws the rest itself.
func (f *Form[A]) Rows(t *Theme, a *A, c *Checks, w, h int) []string {
	if f.grid {
		return f.gridView(t, a, c, w, h)
	}
	return f.listView(t, a, c, w, h)
}

// Fit pads or cuts lines to exactly n.
func Fit(lines []string, n int) []string {
	if len(lines) > n {
		return lines[:n]
	}
	for len(lines) < n {
		lines = append(lines, "")
	}
	return lines
}

// scroll picks the rows to draw in h lines so the focused row shows,
// moving the window as little as possible. heights are the rows' heights.
func (f *Form[A]) scroll(heights []int, h int) (first, last int, more bool) {
	total := 0
	for _, n := range heights {
		total += n
	}
	if total > h {
		more = true
		h-- // room for "rows a-b of n"
	}
	focusRow := f.FocusRow()
	f.offset = min(f.offset, focusRow)
	for {
		used := 0
		for r := f.offset; r <= focusRow; r++ {
			used += heights[r]
		}
		if used <= h || f.offset == focusRow {
			break
		}
		f.offset++
	}
	used := 0
	last = f.offset
	for r := f.offset; r < len(heights); r++ {
		if used+heights[r] > h && r > f.offset {
			break
		}
		used += heights[r]
		last = r + 1
	}
	// Pull earlier rows back in while there is room: the screen may have
	// grown, or been laid out small once (on the way from another form).
	for f.offset > 0 && used+heights[f.offset-1] <= h {
		f.offset--
		used += heights[f.offset]
	}
	return f.offset, last, more
}

func (f *Form[A]) listView(t *Theme, a *A, c *Checks, w, h int) []string {
	labelW := f.labelWidth()
	valueW := max(w-labelW-4, 10)
	indent := strings.Repeat(" ", labelW+4)
	values := make([][]string, len(f.rows))
	msgs := make([][]string, len(f.rows))
	heights := make([]int, len(f.rows))
	for r, row := range f.rows {
		values[r] = f.valueLines(t, a, c, row[0], f.rowStart[r] == f.focus, valueW)
		msgs[r] = f.memo.findingLines(nil, t, f.Messages(row[0], c), indent, w)
		heights[r] = len(values[r]) + len(msgs[r])
	}
	first, last, more := f.scroll(heights, h)
	var out []string
	for r := first; r < last; r++ {
		fl := f.rows[r][0]
		i := f.rowStart[r]
		marker, label := "  ", t.Label.Render(Pad(fl.Title(), labelW))
		if i == f.focus {
			marker, label = t.Accent.On("> "), t.FocusLabel.Render(Pad(fl.Title(), labelW))
		}
		out = append(out, marker+label+"  "+values[r][0])
		for _, l := range values[r][1:] {
			out = append(out, indent+l)
		}
		out = append(out, msgs[r]...)
	}
	if more {
		out = append(out, t.Dim.On(fmt.Sprintf("  fields %d-%d of %d: tab and shift+tab scroll", first+1, last, len(f.rows))))
	}
	return out
}

func (f *Form[A]) gridView(t *Theme, a *A, c *Checks, w, h int) []string {
	if len(f.rows) == 0 {
		return nil
	}
	widths := f.columnWidths(w)
	head := "     "
	for col, fl := range f.rows[0] {
		heading, _ := fl.Column()
		head += Pad(heading, widths[col]+2)
	}
	out := []string{t.Dim.On(head)}
	msgs := make([][]string, len(f.rows))
	heights := make([]int, len(f.rows))
	for r, row := range f.rows {
		for _, fl := range row {
			msgs[r] = f.memo.findingLines(msgs[r], t, f.Messages(fl, c), "     ", w)
		}
		heights[r] = 1 + len(msgs[r])
	}
	first, last, more := f.scroll(heights, h-1)
	focusRow := f.FocusRow()
	for r := first; r < last; r++ {
		marker := "  "
		if focusRow == r {
			marker = t.Accent.On("> ")
		}
		var line strings.Builder
		line.WriteString(marker)
		line.WriteString(Pad(strconv.Itoa(r+1), 3))
		used := 5
		for col, fl := range f.rows[r] {
			width := widths[col]
			focused := f.rowStart[r]+col == f.focus
			if focused {
				// The focused cell grows to show its whole value (a host
				// name longer than the column), into the room the row
				// has beside the columns after it.
				rest := 0
				for _, cw := range widths[col+1:] {
					rest += cw + 2
				}
				width = max(width, min(Width(f.Shown(a, fl))+2, w-used-2-rest))
			}
			line.WriteString(Pad(f.valueView(t, a, c, fl, focused, width), width))
			line.WriteString("  ")
			used += width + 2
		}
		out = append(out, line.String())
		out = append(out, msgs[r]...)
	}
	if more {
		out = append(out, t.Dim.On(fmt.Sprintf("  %s %d-%d of %d", f.RowsName, first+1, last, len(f.rows))))
	}
	return out
}

// columnWidths are the grid's column widths in a row of w cells: each
// column's own, except on a screen too narrow for them all, where the
// widest gives up what the row lacks (the host at 60 columns).
func (f *Form[A]) columnWidths(w int) []int {
	widths := make([]int, len(f.rows[0]))
	total, widest := 5, 0
	for col, fl := range f.rows[0] {
		_, widths[col] = fl.Column()
		total += widths[col] + 2
		if widths[col] > widths[widest] {
			widest = col
		}
	}
	if total > w {
		widths[widest] = max(widths[widest]-(total-w), 8)
	}
	return widths
}

// valueView draws a field's value in w cells, with "checking" beside it
// while its live check runs.
func (f *Form[A]) valueView(t *Theme, a *A, c *Checks, fl Field[A], focused bool, w int) string {
	checking := f.checking(t, c, fl)
	return fl.View(t, f.input, a, f.Shown(a, fl), focused, max(w-1-Width(checking), 1)) + checking
}

// valueLines draws a field's value in lines of w cells for the list, where
// a row may take more than one line: the choices, or the text, that do
// not fit on one wrap under it rather than being cut.
func (f *Form[A]) valueLines(t *Theme, a *A, c *Checks, fl Field[A], focused bool, w int) []string {
	wr, ok := fl.(wrapper[A])
	if !ok {
		return []string{f.valueView(t, a, c, fl, focused, w)}
	}
	checking := f.checking(t, c, fl)
	lines := wr.Lines(t, f.input, a, f.Shown(a, fl), focused, max(w-1-Width(checking), 1))
	lines[len(lines)-1] += checking
	return lines
}

// wrapper is a field that can draw its value in more than one line.
type wrapper[A any] interface {
	// Lines is the value in lines of at most w cells, at least one.
	Lines(t *Theme, in *textinput.Model, a *A, shown string, focused bool, w int) []string
}

// checking is what shows beside a field while its live check runs.
func (f *Form[A]) checking(t *Theme, c *Checks, fl Field[A]) string {
	if lc := c.live(fl.Key()); lc != nil && lc.Running {
		return " " + c.Spinner() + t.Dim.On(" checking")
	}
	return ""
}
