package topology

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// mermaidDirEnv names a folder holding node_modules/mermaid and
// node_modules/jsdom, set up once with
//
//	mkdir -p /work/scratch-mermaid && cd /work/scratch-mermaid && npm init -y && npm install mermaid@11 jsdom
//
// and then OCTOHA_MERMAID_DIR=/work/scratch-mermaid go test ./render/topology.
const mermaidDirEnv = "OCTOHA_MERMAID_DIR"

// parsed is what testdata/parse-mermaid.mjs prints for one file.
type parsed struct {
	File  string            `json:"file"`
	Nodes map[string]string `json:"nodes"`
	Edges [][3]string       `json:"edges"`
	Error string            `json:"error"`
}

// TestMermaidParses runs Mermaid's own parser (headless, in Node with
// jsdom) on every golden flowchart, on the mermaid block of every golden
// CHECKLIST.md of package render, and on the flowchart of every cluster
// the other tests draw, the hostile one included, and checks that Mermaid
// reads each box and arrow as exactly the lines octoha meant. It is skipped
// unless OCTOHA_MERMAID_DIR names the folder with Mermaid installed: the
// golden files hold the flowcharts otherwise.
func TestMermaidParses(t *testing.T) {
	dir := os.Getenv(mermaidDirEnv)
	if dir == "" {
		t.Skip(mermaidDirEnv + " is not set: Mermaid's parser is not run, only the golden files are compared (see mermaidDirEnv)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("%s is set but there is no node on PATH: %v", mermaidDirEnv, err)
	}
	tmp := t.TempDir()
	want := map[string]Cluster{}
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.mmd"))
	files = append(files, checklistBlocks(t, tmp)...)
	for name, c := range clusters(t) {
		f := filepath.Join(tmp, strings.ReplaceAll(name, "/", "_")+".mmd")
		if err := os.WriteFile(f, []byte(Mermaid(c)), 0o644); err != nil {
			t.Fatal(err)
		}
		files, want[f] = append(files, f), c
	}
	sort.Strings(files)
	out, err := exec.Command(node, append([]string{filepath.Join("testdata", "parse-mermaid.mjs"), dir}, files...)...).CombinedOutput()
	seen := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<22)
	for sc.Scan() {
		var p parsed
		if json.Unmarshal(sc.Bytes(), &p) != nil {
			continue
		}
		seen++
		if p.Error != "" {
			t.Errorf("Mermaid cannot parse %s: %s", p.File, p.Error)
			continue
		}
		if c, ok := want[p.File]; ok {
			checkReadBack(t, p, c)
		}
	}
	if seen != len(files) {
		t.Fatalf("the parser reported on %d of %d files (%v):\n%s", seen, len(files), err, out)
	}
}

// checklistBlocks writes the mermaid block of each of render's golden
// checklists (render/testdata/checklist/*.md, where CHECKLIST.md holds the
// picture) to a file in dir, and returns those files.
func checklistBlocks(t *testing.T, dir string) []string {
	t.Helper()
	docs, _ := filepath.Glob(filepath.Join("..", "testdata", "checklist", "*.md"))
	if len(docs) == 0 {
		t.Fatal("no golden checklists in ../testdata/checklist")
	}
	var files []string
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		_, rest, ok := strings.Cut(string(b), "```mermaid\n")
		block, _, closed := strings.Cut(rest, "```\n")
		if !ok || !closed {
			t.Errorf("%s has no mermaid block", doc)
			continue
		}
		f := filepath.Join(dir, "checklist_"+strings.TrimSuffix(filepath.Base(doc), ".md")+".mmd")
		if err := os.WriteFile(f, []byte(block), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// checkReadBack compares the text Mermaid parsed for each box and arrow
// with the lines flowchart gave it.
func checkReadBack(t *testing.T, p parsed, c Cluster) {
	t.Helper()
	nodes, edges := flowchart(c)
	for _, n := range nodes {
		if got, want := readBack(p.Nodes[n.id]), shown(n.lines); got != want {
			t.Errorf("%s: Mermaid reads box %s as %q, want %q", p.File, n.id, got, want)
		}
	}
	if len(p.Edges) != len(edges) {
		t.Fatalf("%s: Mermaid reads %d arrows, want %d", p.File, len(p.Edges), len(edges))
	}
	for i, e := range edges {
		got := p.Edges[i]
		if got[0] != e.from || got[1] != e.to || readBack(got[2]) != shown(e.words) {
			t.Errorf("%s: Mermaid reads arrow %d as %q, want %s -> %s %q", p.File, i, got, e.from, e.to, e.words)
		}
	}
}

// readBack is a label as Mermaid would show it: its entity placeholders
// (ﬂ°°N¶ß for #N;, ﬂ°name¶ß for #name;) decoded and <br> as a line break.
func readBack(s string) string {
	s = strings.ReplaceAll(s, "<br>", "\n")
	var b strings.Builder
	for {
		i := strings.Index(s, "ﬂ°")
		if i < 0 {
			break
		}
		j := strings.Index(s[i:], "¶ß")
		if j < 0 {
			break
		}
		b.WriteString(s[:i])
		code := strings.TrimPrefix(s[i+len("ﬂ°"):i+j], "°")
		if n, err := strconv.Atoi(code); err == nil {
			b.WriteRune(rune(n))
		} else if code == "quot" {
			b.WriteByte('"')
		} else {
			b.WriteString("&" + code + ";")
		}
		s = s[i+j+len("¶ß"):]
	}
	return b.String() + s
}

// shown is label lines as a label shows them, one a line.
func shown(lines []string) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = visible(l)
	}
	return strings.Join(out, "\n")
}
