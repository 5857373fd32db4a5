package tui

import (
	"fmt"
	"strings"
)

// view lays out a question screen in h lines: title and intro, the rows
// (scrolled so the focused one shows), findings no field shows, and the
// focused field's explanation.
func (f *form) view(m *model, w, h int) []string {
	s := m.stepAt(f.step)
	top := []string{m.st.title.Render(s.title)}
	for _, l := range wrap(s.intro, w) {
		top = append(top, m.st.pDim.on(l))
	}
	top = append(top, "")

	var bottom []string
	if loose := f.looseFindings(m); len(loose) > 0 {
		bottom = append(bottom, "")
		bottom = append(bottom, m.findingLines(loose, "", w)...)
	}
	if fl, ok := f.focused(); ok && fl.explain != nil {
		bottom = append(bottom, "")
		lines := wrap(fl.explain(&m.answers), w)
		if len(lines) > 3 {
			lines = lines[:3]
		}
		for _, l := range lines {
			bottom = append(bottom, m.st.pDim.on(l))
		}
	}
	if len(f.fields) == 0 && s.grid {
		bottom = append([]string{m.st.pDim.on("No nodes yet. Press ctrl+n to add one.")}, bottom...)
	}

	region := max(h-len(top)-len(bottom), 3)
	var rows []string
	if s.grid {
		rows = f.gridView(m, w, region)
	} else {
		rows = f.listView(m, w, region)
	}
	out := append(top, fit(rows, region)...)
	return append(out, bottom...)
}

// block is one row on screen: the row line and its messages.
type block struct {
	row      int
	messages []string
}

// scroll picks the rows to draw in h lines so the focused row shows,
// moving the window as little as possible. heights are the rows' heights.
func (f *form) scroll(heights []int, h int) (first, last int, more bool) {
	total := 0
	for _, n := range heights {
		total += n
	}
	if total > h {
		more = true
		h-- // room for "rows a-b of n"
	}
	focusRow := 0
	if len(f.rowOf) > 0 {
		focusRow = f.rowOf[f.focus]
	}
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
	// grown, or been laid out small once (on the way from another step).
	for f.offset > 0 && used+heights[f.offset-1] <= h {
		f.offset--
		used += heights[f.offset]
	}
	return f.offset, last, more
}

func (f *form) listView(m *model, w, h int) []string {
	labelW := 0
	for _, fl := range f.fields {
		labelW = max(labelW, len(fl.label))
	}
	valueW := max(w-labelW-4, 10)
	msgs := make([][]string, len(f.rows))
	heights := make([]int, len(f.rows))
	for r, row := range f.rows {
		msgs[r] = m.findingLines(f.messages(m, row[0]), strings.Repeat(" ", labelW+4), w)
		heights[r] = 1 + len(msgs[r])
	}
	first, last, more := f.scroll(heights, h)
	var out []string
	for r := first; r < last; r++ {
		fl := f.rows[r][0]
		i := f.rowStart[r]
		marker, label := "  ", m.st.label.Render(pad(fl.label, labelW))
		if i == f.focus {
			marker, label = m.st.pAccent.on("> "), m.st.focusLabel.Render(pad(fl.label, labelW))
		}
		out = append(out, marker+label+"  "+f.valueView(m, fl, i == f.focus, valueW))
		out = append(out, msgs[r]...)
	}
	if more {
		out = append(out, m.st.pDim.on(fmt.Sprintf("  fields %d-%d of %d: tab and shift+tab scroll", first+1, last, len(f.rows))))
	}
	return out
}

func (f *form) gridView(m *model, w, h int) []string {
	if len(f.rows) == 0 {
		return nil
	}
	head := "     "
	for _, fl := range f.rows[0] {
		head += pad(fl.column, fl.width+2)
	}
	out := []string{m.st.pDim.on(head)}
	msgs := make([][]string, len(f.rows))
	heights := make([]int, len(f.rows))
	for r, row := range f.rows {
		for _, fl := range row {
			msgs[r] = append(msgs[r], m.findingLines(f.messages(m, fl), "     ", w)...)
		}
		heights[r] = 1 + len(msgs[r])
	}
	first, last, more := f.scroll(heights, h-1)
	for r := first; r < last; r++ {
		marker := "  "
		if f.rowOf[f.focus] == r {
			marker = m.st.pAccent.on("> ")
		}
		var line strings.Builder
		line.WriteString(marker)
		line.WriteString(pad(itoa(r+1), 3))
		for c, fl := range f.rows[r] {
			line.WriteString(pad(f.valueView(m, fl, f.rowStart[r]+c == f.focus, fl.width), fl.width))
			line.WriteString("  ")
		}
		out = append(out, line.String())
		out = append(out, msgs[r]...)
	}
	if more {
		out = append(out, m.st.pDim.on(fmt.Sprintf("  nodes %d-%d of %d", first+1, last, len(f.rows))))
	}
	return out
}

// valueView draws a field's value in w cells: the text input when it has
// focus, the derived value dimmed when empty, choices side by side.
func (f *form) valueView(m *model, fl field, focused bool, w int) string {
	var v, checking string
	if lc := m.live[fl.path]; lc != nil && lc.running {
		checking = " " + m.spinner.View() + m.st.pDim.on(" checking")
	}
	switch {
	case fl.kind == choiceKind:
		cur := fl.get(&m.answers)
		parts := make([]string, len(fl.choices))
		for i, c := range fl.choices {
			if c == cur {
				parts[i] = m.st.pOn.on("(•) " + c)
			} else {
				parts[i] = m.st.pOff.on("( ) " + c)
			}
		}
		v = strings.Join(parts, "  ")
	case focused:
		f.input.SetWidth(max(w-1-textWidth(checking), 1))
		v = f.input.View()
	default:
		text := f.value(m, fl)
		if text == "" && fl.derived != nil {
			v = m.st.pDim.on(fl.derived(&m.answers))
		} else {
			v = text
		}
	}
	return v + checking
}
