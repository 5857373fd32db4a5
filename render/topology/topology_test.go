package topology

import (
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/steps"
)

type example struct {
	name string
	a    steps.Answers
}

func examples(t *testing.T) []example {
	t.Helper()
	names, answers := testkit.Examples(t)
	if len(names) < 7 {
		t.Fatalf("found only %d examples; have they moved?", len(names))
	}
	var out []example
	for _, name := range names {
		out = append(out, example{name, answers[name]})
	}
	return out
}

// TestGolden holds both drawings of every example: the terminal one at 80
// columns (.txt) and the Mermaid flowchart (.mmd).
func TestGolden(t *testing.T) {
	for _, ex := range examples(t) {
		c := Describe(ex.a)
		for ext, got := range map[string]string{".txt": Draw(c, 80), ".mmd": Mermaid(c)} {
			testkit.Golden(t, filepath.Join("testdata", "golden", ex.name+ext), []byte(got))
		}
	}
}

// hostile is a cluster whose every name fights the drawings: quotes,
// brackets, pipes, Mermaid entities and directives, Markdown, HTML, a code
// fence, backslash-n, icons, wide and combining characters, a control
// character, and values longer than any line.
func hostile() steps.Answers {
	a := steps.Defaults()
	long := strings.Repeat("very-long-host-name-", 8) + "corp.local"
	a.LoadBalancer.PublicURL = "https://octopus.corp.local:8443"
	a.Database.Server = `sql"01]|x`
	a.Database.MultiSubnetFailover = true
	a.Storage.Root = `\\fs01\new\table`
	a.Storage.TaskLogs = `\\` + long + `\Logs`
	a.Nodes = []steps.Node{
		{Name: `OCTO"1]`, Host: "#quot;<b>x</b>"},
		{Name: "```", Host: "%%{init: {}}%%"},
		{Name: "- item", Host: "1. item"},
		{Name: "fa:fa-car", Host: "style n1 fill:#f00;"},
		{Name: "東京サーバー一号機", Host: "e\u0301cole.corp.local"},
		{Name: "end", Host: long},
		{Name: "esc\x1b[31m", Host: "ﬂ°°60¶ß.corp.local"},
	}
	a.Tentacles.Mode, a.Tentacles.Polling = steps.ModePolling, steps.PollingRedis
	a.Tentacles.PollingAddress = "poll|ing.corp.local"
	a.Tentacles.Redis.Host = "redis`01"
	return a
}

// clusters are every example in every tentacle mode, and the hostile one.
func clusters(t *testing.T) map[string]Cluster {
	out := map[string]Cluster{"hostile": Describe(hostile())}
	for _, ex := range examples(t) {
		for _, mode := range [][2]string{{steps.ModeListening, ""}, {steps.ModePolling, steps.PollingUniqueAddress}, {steps.ModePolling, steps.PollingUniquePort}, {steps.ModePolling, steps.PollingRedis}} {
			a := ex.a
			a.Tentacles.Mode, a.Tentacles.Polling = mode[0], mode[1]
			if a.Tentacles.Redis.Host == "" {
				a.Tentacles.Redis.Host = "redis01.corp.local"
			}
			out[ex.name+"/"+mode[0]+"-"+mode[1]] = Describe(a)
		}
	}
	return out
}

func TestDrawFitsTheWidth(t *testing.T) {
	for name, c := range clusters(t) {
		for _, w := range []int{MinWidth, MinWidth + 1, 57, 80, 132} {
			for i, line := range strings.Split(strings.TrimSuffix(Draw(c, w), "\n"), "\n") {
				if got := width(line); got > w {
					t.Errorf("%s at width %d: line %d is %d wide: %q", name, w, i+1, got, line)
				}
			}
		}
	}
}

// TestDrawListBelowMinWidth: a terminal narrower than MinWidth gets the
// list, with no box characters and every fact.
func TestDrawListBelowMinWidth(t *testing.T) {
	for name, c := range clusters(t) {
		for _, w := range []int{0, 20, MinWidth - 1} {
			got := Draw(c, w)
			if strings.ContainsAny(got, "┌│└┐┘▼") {
				t.Errorf("%s at width %d: drew boxes, want the list:\n%s", name, w, got)
			}
			for _, f := range facts(c) {
				if !strings.Contains(got, visible(f)) {
					t.Errorf("%s at width %d: the list does not show %q", name, w, f)
				}
			}
		}
		if boxes := Draw(c, MinWidth); !strings.Contains(boxes, "┌") {
			t.Errorf("%s at width %d: want boxes", name, MinWidth)
		}
	}
}

// TestValuesShownWhole: at any width every value can be read back from
// the boxes, wrapped but not cut.
func TestValuesShownWhole(t *testing.T) {
	for name, c := range clusters(t) {
		for _, w := range []int{MinWidth, 80} {
			text := unbox(Draw(c, w))
			for _, f := range facts(c) {
				if !strings.Contains(text, strings.ReplaceAll(visible(f), " ", "")) {
					t.Errorf("%s at width %d: %q is not shown whole", name, w, f)
				}
			}
		}
	}
}

// unbox is a drawing with its frames, arrows and all white space taken
// out, so a value wrapped over lines reads as one string.
func unbox(s string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune("┌─┐│└┘▼ \n", r) {
			return -1
		}
		return r
	}, s)
}

// facts are the names, hosts and ports a cluster's drawings must show.
func facts(c Cluster) []string {
	f := []string{c.PublicURL, c.Balancer.Host, c.Database.Server, c.Database.Name, c.Storage.Root}
	f = append(f, c.Storage.Hosts...)
	for _, p := range c.Balancer.Ports {
		f = append(f, strconv.Itoa(p.Number))
	}
	for _, n := range c.Nodes {
		f = append(f, n.Name, n.Host, strconv.Itoa(n.WebPort), strconv.Itoa(n.CommsPort))
	}
	for _, fo := range c.Storage.Folders {
		if fo.Own {
			f = append(f, fo.Path)
		}
	}
	for _, r := range c.Tentacles.Routes {
		f = append(f, r.Address, strconv.Itoa(r.Port))
	}
	if c.Redis != nil {
		f = append(f, c.Redis.Host, strconv.Itoa(c.Redis.Port))
	}
	return slices.DeleteFunc(f, func(s string) bool { return s == "" })
}

// TestBothDrawingsNameTheSameFacts: every node, host and port of the one
// description is in the terminal drawing and in the flowchart's labels.
func TestBothDrawingsNameTheSameFacts(t *testing.T) {
	for name, c := range clusters(t) {
		term := Draw(c, 10000)
		chart := decodeLabels(Mermaid(c))
		for _, f := range facts(c) {
			if !strings.Contains(term, visible(f)) {
				t.Errorf("%s: the terminal drawing does not show %q", name, f)
			}
			if !strings.Contains(chart, visible(f)) {
				t.Errorf("%s: the flowchart does not show %q", name, f)
			}
		}
	}
}

var entity = regexp.MustCompile(`#(quot|\d+);`)

// decodeEntities reads back what label wrote: entities as their runes.
func decodeEntities(s string) string {
	return entity.ReplaceAllStringFunc(s, func(m string) string {
		if m == "#quot;" {
			return `"`
		}
		n, _ := strconv.Atoi(m[1 : len(m)-1])
		return string(rune(n))
	})
}

// decodeLabels is a flowchart's labels decoded, one a line.
func decodeLabels(chart string) string {
	var out []string
	for _, m := range regexp.MustCompile(`"([^"]*)"`).FindAllStringSubmatch(chart, -1) {
		out = append(out, decodeEntities(strings.ReplaceAll(m[1], "<br>", "\n")))
	}
	return strings.Join(out, "\n")
}

// TestLabelQuotesEverything: a label is one Mermaid string in which only
// plain characters stand for themselves, and it reads back as the value.
func TestLabelQuotesEverything(t *testing.T) {
	plain := regexp.MustCompile(`^"(?:[A-Za-z][A-Za-z0-9 ./,-]*|#(?:quot|\d+);|[^\x00-\x7f"]|<br>|[A-Za-z0-9 ./,-])*"$`)
	for _, value := range append(facts(Describe(hostile())), "", `"`, "a\nb", "#35;", "-", "\u202eevil", "x<br>y") {
		got := label(value)
		if !plain.MatchString(got) {
			t.Errorf("label(%q) = %s: holds a character Mermaid may read", value, got)
		}
		bare := entity.ReplaceAllString(strings.ReplaceAll(got[1:len(got)-1], "<br>", ""), "")
		if strings.ContainsAny(bare, "\"`<>|[]{}():;%&#\\*_~=+!?'$^@") {
			t.Errorf("label(%q) = %s: a syntax character is left bare", value, got)
		}
		if back := decodeEntities(got[1 : len(got)-1]); back != visible(value) {
			t.Errorf("label(%q) reads back as %q", value, back)
		}
		for _, r := range "ﬂ¶" {
			if strings.ContainsRune(got, r) {
				t.Errorf("label(%q) = %s: holds Mermaid's entity marker %q", value, got, r)
			}
		}
	}
	if got := label("a", "b"); got != `"a<br>b"` {
		t.Errorf(`label("a", "b") = %s, want "a<br>b"`, got)
	}
}
