package topology

import (
	"fmt"
	"strings"
	"unicode"
)

// chartNode is one box of the flowchart: an id of octoha's own (users, lb,
// n1 ...), its Mermaid shape brackets and its lines.
type chartNode struct {
	id, open, close string
	lines           []string
}

// chartEdge is one arrow; dotted ones carry tentacle traffic.
type chartEdge struct {
	from, to string
	dotted   bool
	words    []string
}

// flowchart lays the cluster out as boxes and arrows, top to bottom:
// users, the balancer, each node, what the nodes share, the tentacles.
func flowchart(c Cluster) ([]chartNode, []chartEdge) {
	nodes := []chartNode{
		{"users", "([", "])", sectionLines(c.usersSection())},
		{"lb", "[", "]", sectionLines(c.Balancer.section())},
	}
	edges := []chartEdge{{from: "users", to: "lb"}}
	for i, n := range c.Nodes {
		cells := n.row()
		nodes = append(nodes, chartNode{nodeID(i), "[", "]", []string{cells[0], cells[1], strings.Join(cells[2:], " · ")}})
		edges = append(edges, chartEdge{from: "lb", to: nodeID(i), words: []string{"web " + num(n.WebPort)}})
	}
	nodes = append(nodes,
		chartNode{"sql", "[(", ")]", sectionLines(c.Database.section())},
		chartNode{"storage", "[", "]", sectionLines(c.Storage.section())})
	shared := []string{"sql", "storage"}
	if c.Redis != nil {
		nodes = append(nodes, chartNode{"redis", "[(", ")]", sectionLines(c.Redis.section())})
		shared = append(shared, "redis")
	}
	for i := range c.Nodes {
		for _, to := range shared {
			edges = append(edges, chartEdge{from: nodeID(i), to: to})
		}
	}
	nodes = append(nodes, chartNode{"tentacles", "([", "])", []string{"Tentacles: " + modeName(c.Tentacles.Mode)}})
	for _, r := range c.Tentacles.Routes {
		edges = append(edges, routeEdges(c.Nodes, r)...)
	}
	return nodes, edges
}

// Mermaid is the cluster as a Mermaid flowchart (flowchart TD) for a
// ```mermaid block; tentacle traffic is drawn dotted. Every answered value
// enters through label.
func Mermaid(c Cluster) string {
	nodes, edges := flowchart(c)
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	for _, n := range nodes {
		fmt.Fprintf(&b, "  %s%s%s%s\n", n.id, n.open, label(n.lines...), n.close)
	}
	for _, e := range edges {
		arrow := "-->"
		if e.dotted {
			arrow = "-.->"
		}
		if len(e.words) > 0 {
			arrow += "|" + label(e.words...) + "|"
		}
		fmt.Fprintf(&b, "  %s %s %s\n", e.from, arrow, e.to)
	}
	return b.String()
}

// MarkdownBlock is Mermaid in a fenced code block for a Markdown file
// (GitHub draws a mermaid block). No label holds a backtick (label writes
// it as an entity), so nothing inside can close the fence.
func MarkdownBlock(c Cluster) string {
	return "```mermaid\n" + Mermaid(c) + "```\n"
}

func nodeID(i int) string { return "n" + num(i+1) }

// routeEdges is one tentacle route as dotted arrows.
func routeEdges(nodes []Node, r Route) []chartEdge {
	var edges []chartEdge
	switch {
	case r.NodeDials:
		for i := range nodes {
			edges = append(edges, chartEdge{from: nodeID(i), to: "tentacles", dotted: true, words: []string{"TCP " + num(r.Port)}})
		}
	case r.ViaBalancer:
		edges = append(edges, chartEdge{from: "tentacles", to: "lb", dotted: true, words: []string{hostPort(r.Address, r.Port)}})
		for i, n := range nodes {
			if r.Node == "" || r.Node == n.Name {
				edges = append(edges, chartEdge{from: "lb", to: nodeID(i), dotted: true, words: []string{"comms " + num(n.CommsPort)}})
			}
		}
	default:
		for i, n := range nodes {
			if r.Node == n.Name {
				edges = append(edges, chartEdge{from: "tentacles", to: nodeID(i), dotted: true, words: []string{hostPort(r.Address, r.Port)}})
			}
		}
	}
	return edges
}

// sectionLines is a section as label lines: the title, then each row.
func sectionLines(s section) []string {
	lines := []string{s.title}
	for _, row := range s.rows {
		lines = append(lines, strings.Join(row, " "))
	}
	return lines
}

// label is the one way text enters the flowchart: the lines as one quoted
// Mermaid string, joined by <br>. Inside it only letters, digits, spaces
// and the marks . - / , stand for themselves (and only a letter first on a
// line); every other character is written as a Mermaid entity code,
// #quot; for ", else #<decimal>;
// (https://mermaid.js.org/syntax/flowchart.html#entity-codes-to-escape-characters).
// Mermaid decodes those only after it has parsed the diagram and turned
// the label into HTML, reading Markdown, \n as a line break and fa:fa-x as
// an icon on the way (packages/mermaid/src/rendering-util/createText.ts in
// mermaid-js/mermaid), so a value can neither end the string nor mean
// anything to any of them. Runes a screen would not show are first written
// as Go escapes (visible).
func label(lines ...string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, line := range lines {
		if i > 0 {
			b.WriteString("<br>")
		}
		for j, r := range visible(line) {
			switch {
			case r == '"':
				b.WriteString("#quot;")
			case plainInLabel(r, j == 0):
				b.WriteRune(r)
			default:
				fmt.Fprintf(&b, "#%d;", r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// plainInLabel says r may stand for itself in a label. At the start of a
// line only a letter may: Markdown reads "- ", "1. ", "# " and "> " there.
func plainInLabel(r rune, first bool) bool {
	switch {
	case r == 'ﬂ' || r == '¶':
		// Mermaid keeps entity codes as ﬂ°…¶ß while it parses; a value
		// holding those would decode into an entity of its own.
		return false
	case first:
		return unicode.IsLetter(r)
	case r > unicode.MaxASCII:
		return unicode.IsPrint(r)
	}
	return r == ' ' || r == '.' || r == '-' || r == '/' || r == ',' ||
		'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}
