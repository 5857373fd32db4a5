package export

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/render"
	"github.com/octoha/octoha/steps"
)

func loadExample(t testing.TB, name string) steps.Answers {
	t.Helper()
	return testkit.Example(t, name)
}

// oldSet and newSet are two exports of the same cluster into one folder,
// the second with its second node renamed: most files change, one is new.
func oldSet(t testing.TB) []render.File {
	t.Helper()
	files, err := render.All(loadExample(t, "2-node-listening-nginx"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func newSet(t testing.TB) []render.File {
	t.Helper()
	a := loadExample(t, "2-node-listening-nginx")
	a.Nodes[1].Name = "OCTO9"
	files, err := render.All(a)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// listing is every entry under dir, links not followed: a file with its
// mode and content, a folder, a link with its target.
func listing(t testing.TB, dir string) string {
	t.Helper()
	var lines []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			lines = append(lines, fmt.Sprintf("%s: %v", p, err))
			return nil
		}
		info, _ := d.Info()
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			lines = append(lines, p+" -> "+target)
		case d.IsDir():
			lines = append(lines, p+"/ "+info.Mode().Perm().String())
		default:
			data, _ := os.ReadFile(p)
			lines = append(lines, fmt.Sprintf("%s %v %q", p, info.Mode().Perm(), data))
		}
		return nil
	})
	return strings.Join(lines, "\n")
}

// failAt makes the n-th (from 1) step called name fail for the test.
func failAt(t *testing.T, name string, n int) {
	count := 0
	beforeStep = func(step, rel string) error {
		if step == name {
			if count++; count == n {
				return fmt.Errorf("injected failure before %s of %s", step, rel)
			}
		}
		return nil
	}
	t.Cleanup(func() { beforeStep = nil })
}

func mkdir(t *testing.T, p string, mode fs.FileMode) {
	t.Helper()
	if err := os.MkdirAll(p, mode); err != nil {
		t.Fatal(err)
	}
}

func TestWriteFailuresLeaveTheFolderAsItWas(t *testing.T) {
	cases := []struct {
		name string
		// setup prepares out (which does not exist yet) and outside.
		setup   func(t *testing.T, out, outside string)
		force   bool
		private bool
		want    string // in the error, besides "nothing in OUT was changed"
	}{
		{name: "a target is a folder", force: true, want: "CHECKLIST.md is a folder",
			setup: func(t *testing.T, out, _ string) { mkdir(t, filepath.Join(out, "CHECKLIST.md"), 0o755) }},
		{name: "a subfolder is a file", want: "nginx is a file where octoha needs a folder",
			setup: func(t *testing.T, out, _ string) {
				mkdir(t, out, 0o755)
				os.WriteFile(filepath.Join(out, "nginx"), []byte("x"), 0o644)
			}},
		{name: "a read-only subfolder", want: "cannot write " + filepath.Join("OUT", "nginx", "octopus.conf"),
			setup: func(t *testing.T, out, _ string) {
				if os.Geteuid() == 0 {
					t.Skip("root writes into a read-only folder")
				}
				mkdir(t, out, 0o755)
				mkdir(t, filepath.Join(out, "nginx"), 0o555)
				t.Cleanup(func() { os.Chmod(filepath.Join(out, "nginx"), 0o755) })
			}},
		{name: "the third file cannot be written into a new folder", want: "cannot write " + filepath.Join("OUT", "register-tentacle.ps1"),
			setup: func(t *testing.T, _, _ string) { failAt(t, "temp", 3) }},
		{name: "the plan cannot be written", want: "injected failure before plan",
			setup: func(t *testing.T, out, _ string) {
				if _, err := WriteSet(out, oldSet(t), WriteOptions{}); err != nil {
					t.Fatal(err)
				}
				failAt(t, "plan", 1)
			}, force: true},
		{name: "a subfolder links outside", force: true, want: filepath.Join("OUT", "nginx") + " is a symbolic link",
			setup: func(t *testing.T, out, outside string) {
				mkdir(t, out, 0o755)
				os.WriteFile(filepath.Join(outside, "octopus.conf"), []byte("someone else's"), 0o644)
				os.Symlink(outside, filepath.Join(out, "nginx"))
			}},
		{name: "a file links outside", force: true, want: filepath.Join("OUT", "CHECKLIST.md") + " is a symbolic link",
			setup: func(t *testing.T, out, outside string) {
				if _, err := WriteSet(out, oldSet(t), WriteOptions{}); err != nil {
					t.Fatal(err)
				}
				os.WriteFile(filepath.Join(outside, "notes.md"), []byte("someone else's"), 0o644)
				os.Remove(filepath.Join(out, "CHECKLIST.md"))
				os.Symlink(filepath.Join(outside, "notes.md"), filepath.Join(out, "CHECKLIST.md"))
			}},
		{name: "--force, the rename of file 3 of 5 fails", force: true, want: "cannot rename " + filepath.Join("OUT", "register-tentacle.ps1"),
			setup: func(t *testing.T, out, _ string) {
				if _, err := WriteSet(out, oldSet(t), WriteOptions{}); err != nil {
					t.Fatal(err)
				}
				failAt(t, "rename", 3)
			}},
		{name: "--force, keeping the old file 3 aside fails", force: true, want: "cannot keep the old " + filepath.Join("OUT", "nginx", "octopus.conf"),
			setup: func(t *testing.T, out, _ string) {
				if _, err := WriteSet(out, oldSet(t), WriteOptions{}); err != nil {
					t.Fatal(err)
				}
				failAt(t, "backup", 3)
			}},
		{name: "--force, the rename of the private answers file fails", force: true, private: true, want: "cannot rename " + filepath.Join("OUT", "answers.yaml"),
			setup: func(t *testing.T, out, _ string) {
				if _, err := WriteSet(out, oldSet(t), WriteOptions{Private: []render.File{{Path: "answers.yaml", Content: []byte("old: 1\n")}}}); err != nil {
					t.Fatal(err)
				}
				failAt(t, "rename", 9)
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := t.TempDir()
			out, outside := filepath.Join(base, "out"), filepath.Join(base, "outside")
			mkdir(t, outside, 0o755)
			c.setup(t, out, outside)
			before := listing(t, base)
			opts := WriteOptions{Force: c.force}
			if c.private {
				opts.Private = []render.File{{Path: "answers.yaml", Content: []byte("new: 2\n")}}
			}
			written, err := WriteSet(out, newSet(t), opts)
			var werr *WriteError
			if !errors.As(err, &werr) || !werr.Unchanged || len(written) > 0 {
				t.Fatalf("wrote %v, error %v", written, err)
			}
			msg := strings.ReplaceAll(err.Error(), out, "OUT")
			if !strings.Contains(msg, c.want) || !strings.HasSuffix(msg, "; nothing in OUT was changed") {
				t.Errorf("error %q, want %q and that nothing was changed", msg, c.want)
			}
			if after := listing(t, base); after != before {
				t.Errorf("the folder changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

func TestForceReplacesTheWholeSet(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	if _, err := WriteSet(out, oldSet(t), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := WriteSet(out, newSet(t), WriteOptions{})
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), filepath.Join(out, "CHECKLIST.md")+" already exists") {
		t.Errorf("without --force: %v", err)
	}
	answers := render.File{Path: "octoha-answers.yaml", Content: []byte("version: 1\n")}
	written, err := WriteSet(out, newSet(t), WriteOptions{Force: true, Private: []render.File{answers}})
	if err != nil || len(written) != 9 {
		t.Fatalf("wrote %v: %v", written, err)
	}
	assertSet(t, out, append(newSet(t), answers))
	if info, err := os.Stat(filepath.Join(out, answers.Path)); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the answers file: %v %v", info.Mode(), err)
	}
	if info, err := os.Stat(filepath.Join(out, "CHECKLIST.md")); err != nil || info.Mode().Perm() != 0o644 {
		t.Errorf("the checklist: %v %v", info.Mode(), err)
	}
}

func TestWriteRemovesLeftovers(t *testing.T) {
	out := t.TempDir()
	mkdir(t, filepath.Join(out, "nginx"), 0o755)
	for _, p := range []string{".octoha-tmp-0badc0de-CHECKLIST.md", "nginx/.octoha-tmp-0badc0de-octopus.conf.old", ".octoha-tmp-1-plan.part"} {
		os.WriteFile(filepath.Join(out, p), []byte("half"), 0o644)
	}
	if _, err := WriteSet(out, oldSet(t), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	assertSet(t, out, oldSet(t))
}

// assertSet checks that dir holds every file of want with its content, and
// no temporary file.
func assertSet(t *testing.T, dir string, want []render.File) {
	t.Helper()
	for _, f := range want {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil || string(got) != string(f.Content) {
			t.Errorf("%s is not the file of the set (%v)", f.Path, err)
		}
	}
	if left := temporaries(t, dir); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// filesBut is a listing's files (not its folders) whose names do not begin
// with prefix.
func filesBut(listing, prefix string) string {
	var kept []string
	for _, line := range strings.Split(listing, "\n") {
		path, _, _ := strings.Cut(line, " ")
		if !strings.HasSuffix(path, "/") && !strings.HasPrefix(filepath.Base(path), prefix) {
			kept = append(kept, line)
		}
	}
	return strings.Join(kept, "\n")
}

func temporaries(t testing.TB, dir string) []string {
	var left []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), TempPrefix) {
			left = append(left, p)
		}
		return nil
	})
	return left
}

// killChild is set in the environment of the test binary run again by
// TestKilledWriteLeavesOnlyTemporaries: "DIR STEP N FORCE" makes it write
// newSet into DIR and stop before the N-th STEP, to be killed there.
const killChild = "OCTOHA_TEST_KILL_WRITE"

const pausedLine = "octoha-test: paused"

func TestKilledWriteLeavesOnlyTemporaries(t *testing.T) {
	if spec := os.Getenv(killChild); spec != "" {
		runKillChild(t, spec)
		return
	}
	cases := []struct {
		name       string
		old        bool // the folder holds oldSet before
		step       string
		n          int
		forceAgain bool // the next run is a --force
	}{
		{name: "into an empty folder, all temporaries written", step: "plan", n: 1},
		{name: "--force, all temporaries written", old: true, step: "plan", n: 1, forceAgain: true},
		{name: "--force, two of five renamed, the next run refuses", old: true, step: "rename", n: 3},
		{name: "--force, two of five renamed, the next run forces", old: true, step: "rename", n: 3, forceAgain: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			if c.old {
				if _, err := WriteSet(out, oldSet(t), WriteOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			before := listing(t, out)
			killMidWrite(t, fmt.Sprintf("%s %s %d %v", out, c.step, c.n, c.old))

			if c.step == "plan" {
				// Killed before any rename: every file but the temporaries
				// is as it was.
				if got, want := filesBut(listing(t, out), TempPrefix), filesBut(before, TempPrefix); got != want {
					t.Errorf("a killed write changed the set:\nbefore:\n%s\nafter:\n%s", want, got)
				}
				if left := temporaries(t, out); len(left) != len(newSet(t)) {
					t.Errorf("temporaries left: %v", left)
				}
			}
			if c.step == "rename" {
				// Killed among the renames: the plan is left for the next
				// run to undo them.
				if plans, _ := filepath.Glob(filepath.Join(out, TempPrefix+"*.plan")); len(plans) != 1 {
					t.Errorf("plans left: %v", plans)
				}
			}
			if !c.forceAgain && c.old {
				// The next run, even one that refuses, puts the old set back.
				if _, err := WriteSet(out, newSet(t), WriteOptions{}); !errors.Is(err, ErrExists) {
					t.Errorf("the next run: %v", err)
				}
				if after := listing(t, out); after != before {
					t.Errorf("the next run did not put the old set back:\nbefore:\n%s\nafter:\n%s", before, after)
				}
			}
			if _, err := WriteSet(out, newSet(t), WriteOptions{Force: c.old}); err != nil {
				t.Fatalf("the next run: %v", err)
			}
			assertSet(t, out, newSet(t))
			if c.old {
				// The old set's file for the renamed node is not in the new set.
				if _, err := os.Stat(filepath.Join(out, "join-node-OCTO2.ps1")); err != nil {
					t.Errorf("a file outside the set went: %v", err)
				}
			}
		})
	}
}

// killMidWrite runs this test binary again to write newSet as spec says,
// waits for it to stop mid-write, and kills it with SIGKILL.
func killMidWrite(t *testing.T, spec string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledWriteLeavesOnlyTemporaries$")
	cmd.Env = append(os.Environ(), killChild+"="+spec)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	paused := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if sc.Text() == pausedLine {
				paused <- true
				return
			}
		}
		paused <- false
	}()
	select {
	case ok := <-paused:
		if !ok {
			cmd.Wait()
			t.Fatalf("the write ran to its end without stopping at %q", spec)
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the write did not stop within 60s")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the write was not killed: %v", err)
	}
}

func runKillChild(t *testing.T, spec string) {
	fields := strings.Fields(spec)
	dir, stop := fields[0], fields[1]
	n, _ := strconv.Atoi(fields[2])
	force := fields[3] == "true"
	count := 0
	beforeStep = func(step, rel string) error {
		if step == stop {
			if count++; count == n {
				fmt.Println(pausedLine)
				time.Sleep(time.Hour)
			}
		}
		return nil
	}
	if _, err := WriteSet(dir, newSet(t), WriteOptions{Force: force}); err != nil {
		t.Fatal(err)
	}
}
