package tui

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/octoha/octoha/steps"
)

// needTool skips a test when a tool is missing, except under CI, where a
// missing tool fails it: CI never skips silently.
func needTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is needed under CI: %v", name, err)
		}
		t.Skipf("%s is not installed", name)
	}
	return path
}

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
	buildDir  string
)

// octohaBinary builds the real octoha once per test run.
func octohaBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "octoha-e2e-")
		if buildErr != nil {
			return
		}
		binary = filepath.Join(buildDir, "octoha")
		cmd := exec.Command("go", "build", "-o", binary, "github.com/octoha/octoha")
		cmd.Dir = ".."
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// tmuxPane drives one program in a private tmux server (-L), 120x40
// unless started at another size.
type tmuxPane struct {
	t    testing.TB
	sock string
}

func startPane(t testing.TB, dir string, args ...string) *tmuxPane {
	t.Helper()
	return startPaneSized(t, dir, 120, 40, args...)
}

// startPaneSized starts args in a w x h pane.
func startPaneSized(t testing.TB, dir string, w, h int, args ...string) *tmuxPane {
	t.Helper()
	needTool(t, "tmux")
	p := &tmuxPane{t: t, sock: fmt.Sprintf("octoha-test-%d-%d", os.Getpid(), time.Now().UnixNano())}
	// The pane outlives the program, so its exit code can be read.
	command := strings.Join(args, " ") + "; echo EXIT=$?; sleep 60"
	cmd := exec.Command("tmux", "-L", p.sock, "new-session", "-d", "-s", "w", "-x", itoa(w), "-y", itoa(h), "-c", dir, command)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "-L", p.sock, "kill-server").Run() })
	return p
}

func (p *tmuxPane) tmux(args ...string) string {
	p.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", p.sock}, args...)...).CombinedOutput()
	if err != nil {
		p.t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return string(out)
}

// keys sends tmux key names (Enter, Tab, C-n, ...).
func (p *tmuxPane) keys(names ...string) {
	p.t.Helper()
	p.tmux(append([]string{"send-keys", "-t", "w"}, names...)...)
}

// typeText sends text literally.
func (p *tmuxPane) typeText(s string) {
	p.t.Helper()
	p.tmux("send-keys", "-t", "w", "-l", s)
}

func (p *tmuxPane) capture() string { return p.tmux("capture-pane", "-p", "-t", "w") }

// resize makes the pane w x h, as an admin dragging the window does.
func (p *tmuxPane) resize(w, h int) {
	p.t.Helper()
	p.tmux("resize-window", "-t", "w", "-x", itoa(w), "-y", itoa(h))
}

// waitFor polls the pane until it shows s.
func (p *tmuxPane) waitFor(s string) string {
	p.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		screen := p.capture()
		if strings.Contains(screen, s) {
			return screen
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("the pane never showed %q:\n%s", s, screen)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func repeat(key string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = key
	}
	return out
}

// fillFirstSteps answers Octopus, Database and Storage as fillCluster does.
func (p *tmuxPane) fillFirstSteps() {
	p.waitFor("Octopus Server")
	p.keys("Tab", "Tab")
	p.typeText(`CORP\svc-octopus`)
	p.keys("Tab", "Tab")
	p.typeText("octopus-admins@corp.local")
	p.keys(repeat("Enter", 6)...)
	p.waitFor("SQL Server database")
	p.typeText("sql01.corp.local")
	p.keys(repeat("Enter", 8)...)
	p.waitFor("Shared storage")
	p.typeText(`\\fs01.corp.local\Octopus`)
	p.keys(repeat("Enter", 6)...)
	p.waitFor("One row per node")
}

func TestEndToEndExportMatchesCLI(t *testing.T) {
	bin := octohaBinary(t)
	dir := t.TempDir()
	p := startPane(t, dir, bin, "--answers", "answers.yaml")
	p.fillFirstSteps()
	for i := 1; i <= 3; i++ {
		p.keys("C-n")
		p.typeText(fmt.Sprintf("OCTO%d", i))
		p.keys("Tab")
		p.typeText(fmt.Sprintf("octo%d.corp.local", i))
	}
	p.waitFor("octo3.corp.local")
	p.keys(repeat("Enter", 3)...)
	p.waitFor("Load balancer")
	p.keys("Tab")
	p.typeText("https://octopus.corp.local")
	p.waitFor("Certificate key")
	p.keys("Tab", "Tab", "Tab", "Tab")
	p.typeText("/etc/nginx/tls/octopus.pem")
	p.keys("Tab")
	p.typeText("/etc/nginx/tls/octopus.key")
	p.keys("Enter")
	p.waitFor("How deployment targets talk")
	p.keys("Right", "Tab")
	p.waitFor("unique-address")
	p.keys("Right", "Tab")
	p.waitFor("Polling address")
	p.keys("Tab")
	p.typeText("octopus-poll.corp.local")
	p.keys(repeat("Enter", 5)...)
	p.waitFor("go to export")
	p.keys("Enter")
	p.waitFor("Output folder")
	p.keys("C-u")
	p.typeText("wizard-out")
	p.keys("Enter")
	for deadline := time.Now().Add(10 * time.Second); ; {
		s := p.capture()
		if strings.Contains(s, "Done.") {
			break
		}
		if strings.Contains(s, "Nothing was written") || strings.Contains(s, "still have errors") || time.Now().After(deadline) {
			t.Fatalf("the export did not finish with every file written:\n%s", s)
		}
		time.Sleep(10 * time.Millisecond)
	}
	p.keys("C-c", "s")
	p.waitFor("EXIT=0")

	saved, err := steps.Load(filepath.Join(dir, "answers.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := marshal(t, saved.Answers), marshal(t, wantCluster()); got != want {
		t.Fatalf("saved answers:\n%s\nwant:\n%s", got, want)
	}
	cli := exec.Command(bin, "export", "--answers", "answers.yaml", "--out", "cli-out")
	cli.Dir = dir
	cliOut, cliErr := cli.CombinedOutput()
	wizardFiles := readTree(t, filepath.Join(dir, "wizard-out"))
	cliFiles := readTree(t, filepath.Join(dir, "cli-out"))
	copy, ok := wizardFiles[AnswersFileName]
	want, _ := os.ReadFile(filepath.Join(dir, "answers.yaml"))
	if !ok || !bytes.Equal(copy, want) {
		t.Errorf("the answers copy beside the files is missing or differs from the answers file (found: %v)", ok)
	}
	if cliErr != nil || len(cliFiles) == 0 {
		t.Fatalf("octoha export on the saved answers failed (%v):\n%s", cliErr, cliOut)
	}
	// 3 nodes: first node, 2 joins, tentacle, nginx config, checklist,
	// the first node's rebuild script, the DBA's script, the Kubernetes
	// agents' values, and the answers copy, which octoha export writes as
	// the wizard does.
	if len(cliFiles) != 10 {
		t.Errorf("octoha export wrote %d files, want 10: %v", len(cliFiles), slices.Sorted(maps.Keys(cliFiles)))
	}
	if len(wizardFiles) != len(cliFiles) {
		t.Fatalf("the wizard wrote %d files, octoha export %d (%v)", len(wizardFiles), len(cliFiles), cliErr)
	}
	for name, content := range cliFiles {
		if !bytes.Equal(wizardFiles[name], content) {
			t.Errorf("%s differs between the wizard and octoha export", name)
		}
	}
}

// readTree reads every file under dir by its slash path; a missing dir is
// an empty tree (an export that wrote nothing).
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)], _ = os.ReadFile(path)
		return nil
	})
	return files
}

func TestEndToEndCtrlCInNodesThenResume(t *testing.T) {
	bin := octohaBinary(t)
	dir := t.TempDir()
	p := startPane(t, dir, bin, "--answers", "answers.yaml")
	p.fillFirstSteps()
	p.keys("C-n")
	p.typeText("OCTO1")
	p.keys("Tab")
	p.typeText("octo-a.corp.local") // no number to count on: node 2 starts empty
	p.keys("C-n")
	p.typeText("OCTO2")
	p.waitFor("OCTO2")
	p.keys("C-c")
	p.waitFor("Quit octoha?")
	p.keys("s")
	p.waitFor("EXIT=0")

	p = startPane(t, dir, bin, "--answers", "answers.yaml")
	screen := p.waitFor("One row per node")
	for _, want := range []string{"✓Octopus", "✓Database", "✓Storage", "OCTO1", "octo-a.corp.local", "OCTO2", "error: node host is empty"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the resumed Nodes screen lacks %q:\n%s", want, screen)
		}
	}
	f, err := steps.Load(filepath.Join(dir, "answers.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	a := f.Answers
	if a.Octopus.ServiceAccount != `CORP\svc-octopus` || a.Octopus.AdminEmail != "octopus-admins@corp.local" ||
		a.Database.Server != "sql01.corp.local" || a.Storage.Root != `\\fs01.corp.local\Octopus` || len(a.Nodes) != 2 {
		t.Errorf("earlier answers were not kept: %+v", a)
	}
	// Esc goes back to Storage with its answer in place.
	p.keys("Escape")
	if s := p.waitFor("Shared storage"); !strings.Contains(s, `\\fs01.corp.local\Octopus`) {
		t.Errorf("Storage lost its answer:\n%s", s)
	}
	p.keys("C-c", "q")
	p.waitFor("EXIT=0")
}

// TestEndToEndAddNodeMatchesCLI grows the 4-node example by OCTO5 in the
// real binary's add-node flow and compares the folder with what
// `octoha add-node` writes for the same file (localhost resolves offline).
func TestEndToEndAddNodeMatchesCLI(t *testing.T) {
	bin := octohaBinary(t)
	dir := t.TempDir()
	example := filepath.Join(examples, "4-node-polling-unique-port-nginx.yaml")
	before, _ := os.ReadFile(example)
	p := startPane(t, dir, bin)
	p.waitFor("What would you like to do?")
	p.keys("Down", "Enter")
	p.waitFor("From the cluster's answers file")
	// From here to Review: at most 6 keys besides the typed path, name and
	// host (issue 12, point 4). The running cluster is not asked again.
	keys := 0
	send := func(names ...string) { keys += len(names); p.keys(names...) }
	send("Enter")
	p.typeText(example)
	send("Enter")
	if s := p.waitFor("The new node"); !strings.Contains(s, "Joining (read-only") || strings.Contains(s, "ctrl+n") {
		t.Errorf("the New node screen does not show the running cluster read-only:\n%s", s)
	}
	p.typeText("OCTO5")
	send("Tab")
	p.typeText("localhost")
	send(repeat("Enter", 3)...) // host, web port, comms port
	p.waitFor("go to export")
	if keys > 6 {
		t.Errorf("the add flow took %d keys to Review, want at most 6", keys)
	}
	p.keys("Enter")
	p.waitFor("octoha-add-OCTO5")
	p.keys("Enter")
	p.waitFor("Done.")
	p.keys("Enter")
	p.waitFor("EXIT=0")

	cli := exec.Command(bin, "add-node", "--answers", example, "--name", "OCTO5", "--host", "localhost", "--out", "cli-out")
	cli.Dir = dir
	if out, err := cli.CombinedOutput(); err != nil {
		t.Fatalf("octoha add-node: %v\n%s", err, out)
	}
	wizard, want := readTree(t, filepath.Join(dir, "octoha-add-OCTO5")), readTree(t, filepath.Join(dir, "cli-out"))
	if len(wizard) != len(want) || len(want) == 0 {
		t.Fatalf("the wizard wrote %d files, octoha add-node %d", len(wizard), len(want))
	}
	for name, content := range want {
		if !bytes.Equal(wizard[name], content) {
			t.Errorf("%s differs between the wizard and octoha add-node", name)
		}
	}
	if after, _ := os.ReadFile(example); !bytes.Equal(before, after) {
		t.Error("the example changed")
	}
}
