package topology

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// MinWidth is the narrowest terminal the boxes are drawn for; below it
// Draw writes an indented list, whose lines a terminal wraps itself.
const MinWidth = 40

// cellGap separates the cells of a row.
const cellGap = "  "

// part is one piece of the drawing, top to bottom.
type part struct {
	kind partKind
	// label is an arrow's words.
	label string
	sec   section
}

type partKind int

const (
	box partKind = iota
	arrow
	gap
)

// parts is the cluster in drawing order: users, balancer, nodes, what the
// nodes share, and last how tentacles reach the nodes.
func (c Cluster) parts() []part {
	ps := []part{
		{sec: c.usersSection()},
		{kind: arrow},
		{sec: c.Balancer.section()},
		{kind: arrow, label: "http to each node's web port " + webPorts(c.Nodes)},
		{sec: nodesSection(c.Nodes)},
		{kind: arrow, label: "every node uses"},
		{sec: c.Database.section()},
		{sec: c.Storage.section()},
	}
	if c.Redis != nil {
		ps = append(ps, part{sec: c.Redis.section()})
	}
	return append(ps, part{kind: gap}, part{sec: c.Tentacles.section(c.Nodes)})
}

// Draw draws the cluster with box-drawing characters, no line wider than
// width terminal cells (display width, as the wizard measures its lines),
// or as an indented list when width is below MinWidth. Every value is shown
// whole: a row too long for its box continues on the next line.
func Draw(c Cluster, width int) string {
	ps := c.parts()
	if width < MinWidth {
		return drawList(ps)
	}
	w := min(width, naturalWidth(ps))
	var b strings.Builder
	for _, p := range ps {
		switch p.kind {
		case arrow:
			drawArrow(&b, p.label, w)
		case gap:
			b.WriteString("\n")
		default:
			drawBox(&b, p.sec, w)
		}
	}
	return b.String()
}

// termCells is a section's rows as the terminal shows them: every value
// through visible.
func termCells(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, row := range rows {
		for _, cell := range row {
			out[i] = append(out[i], visible(cell))
		}
	}
	return out
}

// naturalWidth is the width at which every box shows its rows aligned
// and its title in the top border.
func naturalWidth(ps []part) int {
	w := MinWidth
	for _, p := range ps {
		switch p.kind {
		case arrow:
			w = max(w, width(visible(p.label))+4)
		case box:
			w = max(w, width(visible(p.sec.title))+6)
			for _, line := range aligned(termCells(p.sec.rows)) {
				w = max(w, width(line)+4)
			}
		}
	}
	return w
}

func width(s string) int { return ansi.StringWidth(s) }

// aligned lays rows out in columns. A row's last cell is not padded, so
// it widens no column: a long value alone on its row leaves the others be.
func aligned(rows [][]string) []string {
	var cols []int
	for _, row := range rows {
		for i, cell := range row[:max(len(row)-1, 0)] {
			if i == len(cols) {
				cols = append(cols, 0)
			}
			cols[i] = max(cols[i], width(cell))
		}
	}
	lines := make([]string, len(rows))
	for r, row := range rows {
		var b strings.Builder
		for i, cell := range row {
			if i > 0 {
				b.WriteString(cellGap)
			}
			b.WriteString(cell)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", cols[i]-width(cell)))
			}
		}
		lines[r] = b.String()
	}
	return lines
}

// boxLines is a section's rows inside a box inner cells wide: aligned in
// columns when they fit, else each row wrapped on its own.
func boxLines(rows [][]string, inner int) []string {
	lines := aligned(rows)
	fits := true
	for _, l := range lines {
		fits = fits && width(l) <= inner
	}
	if fits {
		return lines
	}
	lines = nil
	for _, row := range rows {
		lines = append(lines, wrapCells(row, inner)...)
	}
	return lines
}

// wrapCells packs a row's cells into lines at most w wide, breaking
// between cells; lines after the first are indented, and a cell wider than
// a line is split across lines, between words where it has spaces, never
// cut.
func wrapCells(cells []string, w int) []string {
	const indent = "  "
	var lines []string
	line := ""
	for _, cell := range cells {
		room := w
		if len(lines) > 0 {
			room = w - len(indent)
		}
		switch {
		case line == "" && width(cell) <= room:
			line = cell
		case line != "" && width(line)+len(cellGap)+width(cell) <= room:
			line += cellGap + cell
		default:
			if line != "" {
				lines = append(lines, line)
				line = ""
			}
			pieces := strings.Split(ansi.Wrap(cell, w-len(indent), ""), "\n")
			for _, piece := range pieces[:len(pieces)-1] {
				lines = append(lines, piece)
			}
			line = pieces[len(pieces)-1]
		}
	}
	lines = append(lines, line)
	for i := 1; i < len(lines); i++ {
		lines[i] = indent + lines[i]
	}
	return lines
}

func drawBox(b *strings.Builder, s section, w int) {
	inner := w - 4
	title := visible(s.title)
	var lines []string
	if tw := width(title); tw <= w-6 {
		b.WriteString("┌─ " + title + " " + strings.Repeat("─", w-5-tw) + "┐\n")
	} else {
		b.WriteString("┌" + strings.Repeat("─", w-2) + "┐\n")
		lines = wrapCells([]string{title}, inner)
	}
	lines = append(lines, boxLines(termCells(s.rows), inner)...)
	for _, l := range lines {
		b.WriteString("│ " + l + strings.Repeat(" ", inner-width(l)) + " │\n")
	}
	b.WriteString("└" + strings.Repeat("─", w-2) + "┘\n")
}

func drawArrow(b *strings.Builder, label string, w int) {
	if label == "" {
		b.WriteString("  │\n")
	}
	for _, l := range wrapCells([]string{visible(label)}, w-4) {
		if l != "" {
			b.WriteString("  │ " + l + "\n")
		}
	}
	b.WriteString("  ▼\n")
}

// drawList is the drawing for a narrow terminal: each section's title and
// its rows indented under it, arrows as ↓ lines.
func drawList(ps []part) string {
	var b strings.Builder
	for _, p := range ps {
		switch p.kind {
		case arrow:
			b.WriteString(strings.TrimRight("↓ "+visible(p.label), " ") + "\n")
		case gap:
			b.WriteString("\n")
		default:
			b.WriteString(visible(p.sec.title) + "\n")
			for _, row := range termCells(p.sec.rows) {
				b.WriteString("  " + strings.Join(row, cellGap) + "\n")
			}
		}
	}
	return b.String()
}
