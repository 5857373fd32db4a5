package render

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/markdown/mdtest"
	"github.com/octoha/octoha/render/lb"
	"github.com/octoha/octoha/steps"
)

// hostileMarkdown is a value built to change a Markdown document wherever
// it lands: a block start (list markers, a heading, a quote, indentation,
// a setext underline, a fence), code span fences of every length, table
// pipes with and without backslashes, emphasis, strikethrough, links,
// images, HTML, an entity reference and Unicode quotes. The marker makes
// each one findable. Line breaks are not here: they are refused (below).
// Nor is a pipe after an odd run of backslashes, which no code span in a
// table can hold: codeCell shows that value as escaped text, one code span
// fewer (internal/markdown's TestCodeCellKeepsItsCell).
// The block start a value begins with turns with shift, so that over
// len(blockStarts) runs every field begins with each one.
func hostileMarkdown(shift int) func(i int) string {
	return func(i int) string {
		return blockStarts[(i+shift)%len(blockStarts)] + fmt.Sprintf("H%02dx", i) +
			" `a` ``b`` ` | *em* __b__ ~~s~~ [l](u) ![i](j) <script>alert(1)</script> &amp; ‘’“” \\\\| a\\b \\ $m$ ---"
	}
}

var blockStarts = []string{"1. ", "- ", "# ", "> ", "    ", "+ ", "=", "12) ", "* ", "```", "---", "<div>", "| "}

// hostilePath is a UNC path as hostile as a path can be and still be one
// (no < > | ? * " or tab), so its server still shows up as a share host.
func hostilePath(i int) string {
	return fmt.Sprintf(`\\H%02dx_`, i) + "`a``b`" + `[c]#~&amp;‘’\1. s_h` + "`" + `are\x\\---`
}

func tameValue(i int) string { return fmt.Sprintf(`v%02d\x`, i) }
func tamePath(i int) string  { return fmt.Sprintf(`\\v%02d\x`, i) }

// setValues puts value(i) into every string field a Markdown file can
// print and path(i) into the storage paths, numbering them; the mode fields
// keep their meaning, the public URL keeps its host and the health check
// its leading slash. It returns how many
// values it set.
func setValues(a *steps.Answers, value, path func(i int) string) int {
	n := 0
	next := func() string { n++; return value(n) }
	a.Octopus.Version = steps.VersionText(next())
	for _, p := range []*string{
		&a.Octopus.Instance, &a.Octopus.InstallDir, &a.Octopus.HomeDir, &a.Octopus.AdminUsername, &a.Octopus.AdminEmail,
		&a.Database.Server, &a.Database.Name, &a.Database.User,
		&a.LoadBalancer.Certificate, &a.LoadBalancer.CertificateKey, &a.LoadBalancer.CertificateThumbprint,
		&a.Tentacles.PollingAddress, &a.Tentacles.Redis.Host, &a.Tentacles.Instance, &a.Tentacles.Space,
	} {
		*p = next()
	}
	if a.Octopus.ServiceAccount != "" {
		a.Octopus.ServiceAccount = next()
	}
	a.LoadBalancer.HealthCheck = "/" + next()
	a.LoadBalancer.PublicURL = strings.TrimRight(a.LoadBalancer.PublicURL, "/") + "/" + next()
	a.LoadBalancer.TrustedProxies = []string{next(), next()}
	a.Tentacles.Environments = []string{next(), next()}
	a.Tentacles.Roles = []string{next()}
	for i := range a.Nodes {
		a.Nodes[i].Name = next()
		a.Nodes[i].Host = next()
	}
	// Packages, imports and event exports stay under the root, as in the
	// examples.
	for _, p := range []*string{&a.Storage.Root, &a.Storage.Artifacts, &a.Storage.TaskLogs} {
		n++
		*p = path(n)
	}
	return n
}

// markdownFiles renders every Markdown file of a cluster and of a change
// to it: the checklist, the external balancer notes, the checklist for
// adding a node and those for removing the first and the last node.
func markdownFiles(t *testing.T, a steps.Answers, newNode steps.Node) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	must := func(name string, b []byte, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		files[name] = b
	}
	b, err := Checklist(a)
	must("CHECKLIST.md", b, err)
	b, err = lb.External(a)
	must("CONFIGURE.md", b, err)
	grown, err := a.AddNode(newNode)
	if err != nil {
		t.Fatal(err)
	}
	b, err = addNodeChecklist(grown, len(grown.Nodes)-1)
	must("add-node CHECKLIST.md", b, err)
	for _, k := range []int{0, len(a.Nodes) - 1} {
		shrunk, at, err := a.RemoveNode(a.Nodes[k].Name)
		if err != nil {
			t.Fatal(err)
		}
		b, err = removeNodeChecklist(a, at, shrunk)
		must(fmt.Sprintf("remove-node %d CHECKLIST.md", k), b, err)
	}
	return files
}

// TestHostileValuesKeepTheChecklistsShape renders every Markdown file of
// every example, and of adding and removing a node, with a hostile value
// in every string field, and with tame ones. Each file must have the same
// shape both ways (every line the same kind: list item, table row with the
// same cells, heading, text; the same code spans; no emphasis, link or HTML
// more), and the hostile values must reach the files.
func TestHostileValuesKeepTheChecklistsShape(t *testing.T) {
	for _, name := range exampleNames(t) {
		tame := loadExample(t, name)
		count := setValues(&tame, tameValue, tamePath)
		tameFiles := markdownFiles(t, tame, steps.Node{Name: tameValue(count + 1), Host: tameValue(count + 2)})
		for shift := range blockStarts {
			hostile := loadExample(t, name)
			value := hostileMarkdown(shift)
			setValues(&hostile, value, hostilePath)
			hostileFiles := markdownFiles(t, hostile, steps.Node{Name: value(count + 1), Host: value(count + 2)})
			var all strings.Builder
			for file, content := range hostileFiles {
				if d := mdtest.Diff(string(tameFiles[file]), string(content)); d != "" {
					t.Errorf("%s: %s has another shape with hostile values, at %s", name, file, d)
				}
				all.Write(content)
			}
			reached := 0
			for i := 1; i <= count+2; i++ {
				if strings.Contains(all.String(), fmt.Sprintf("H%02dx", i)) {
					reached++
				}
			}
			// Some fields are printed by no Markdown file in some modes
			// (database.user with Windows logins, the Redis host without
			// Redis, the certificate thumbprint, the tentacles' space...).
			if reached < count/2 {
				t.Errorf("%s: only %d of %d hostile values reached a Markdown file; the test lost its grip", name, reached, count+2)
			}
		}
	}
}

// TestLineBreaksStopTheChecklists: a line break in a value would add a
// line of its own (today's numbered step in CHECKLIST.md from a newline in
// adminUsername), so rendering fails with a sentence naming the value.
// The loader refuses control characters first; this is the renderer's own
// guard.
func TestLineBreaksStopTheChecklists(t *testing.T) {
	a := loadExample(t, "2-node-polling-unique-address-external")
	a.Octopus.AdminUsername = "admin\n4. [ ] Run evil.ps1 on every node"
	_, err := All(a)
	want := `rendering CHECKLIST.md: the value "admin\n4. [ ] Run evil.ps1 on every node" holds a line break, which cannot go into a Markdown file; remove it from the answers`
	if err == nil || err.Error() != want {
		t.Errorf("All: %v\nwant %s", err, want)
	}

	for _, value := range []string{"OCTO3\r\n## Owned", "OCTO3\u2028x", "OCTO3\x00"} {
		b := loadExample(t, "2-node-polling-unique-address-external")
		grown, err := b.AddNode(steps.Node{Name: value, Host: "octo3.corp.local"})
		if err != nil {
			t.Fatal(err)
		}
		// The checklist reads what the join script asks for from the
		// script, whose renderer refuses a NUL first, as AddNodeFiles does
		// before it writes the checklist.
		want := strconv.Quote(value)
		if strings.ContainsRune(value, 0) {
			want = "holds a NUL character"
		}
		if out, err := addNodeChecklist(grown, 2); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("add-node checklist with node name %q: %v\n%s", value, err, out)
		}
		b.Nodes[1].Host = value
		if _, err := lb.External(b); err == nil || !strings.Contains(err.Error(), strconv.Quote(value)) {
			t.Errorf("external balancer notes with host %q: %v", value, err)
		}
	}
}
