package tui

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// startMenu is the start screen's first line: the first frame has come
// when the pane shows it.
const startMenu = "What would you like to do?"

// BenchmarkFirstFrame is the time from pressing Enter on a command line in
// a tmux pane to the first capture-pane that shows the start menu, for
// three commands in turn each round:
//
//   - printf of the same text, a shell builtin: the harness's own floor;
//   - testdata/baretea, a bare Bubble Tea v2 program drawing that line in
//     the alt screen: process start plus Bubble Tea's;
//   - octoha itself.
//
// One tmux server (private -L socket) and one shell pane serve every run,
// driven through a control-mode client (tmux -C), so polling spawns no
// process. Rounds are max(b.N, 15); the testing package always runs b.N=1
// first, so -benchtime=30x gives 15 rounds and then 30. It reports each
// median in ms and octoha's distance from the other two.
//
//	go test ./tui -run XXX -bench FirstFrame
func BenchmarkFirstFrame(b *testing.B) {
	needTool(b, "tmux")
	dir := b.TempDir()
	commands := []struct {
		name, line string
		// quit ends the program and waits until it has left the screen.
		quit func(c *tmuxControl)
	}{
		// \077 is "?": the typed command line must not show the marker.
		{"printf", `printf "What would you like to do\077\n"`, func(*tmuxControl) {}},
		{"baretea", buildBareTea(b, dir), func(c *tmuxControl) {
			c.keys("q")
			c.waitForShell()
		}},
		{"octoha", octohaBinary(b), func(c *tmuxControl) {
			c.keys("C-c")
			c.waitFor("Quit octoha?")
			c.keys("q")
			c.waitForShell()
		}},
	}
	c := startControl(b, dir)
	rounds := max(b.N, 15)
	runs := make([][]time.Duration, len(commands))
	for round := 0; round < rounds; round++ {
		for i, cmd := range commands {
			c.reset()
			c.run("send-keys -t w -l " + tmuxQuote(cmd.line))
			start := time.Now()
			c.keys("Enter")
			c.waitFor(startMenu)
			runs[i] = append(runs[i], time.Since(start))
			cmd.quit(c)
		}
	}
	medians := make([]float64, len(commands))
	for i, cmd := range commands {
		slices.Sort(runs[i])
		medians[i] = ms(runs[i][len(runs[i])/2])
		b.ReportMetric(medians[i], cmd.name+"-ms")
		b.Logf("%-8s median %6.1f ms  min %6.1f  max %6.1f  (%d runs)", cmd.name, medians[i], ms(runs[i][0]), ms(runs[i][len(runs[i])-1]), len(runs[i]))
	}
	b.ReportMetric(medians[2]-medians[0], "octoha-floor-ms")
	b.ReportMetric(medians[2]-medians[1], "octoha-baretea-ms")
	b.ReportMetric(0, "ns/op") // one op is a whole set of rounds: meaningless
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// buildBareTea builds testdata/baretea with this module's Bubble Tea.
func buildBareTea(b *testing.B, dir string) string {
	b.Helper()
	bin := filepath.Join(dir, "baretea")
	cmd := exec.Command("go", "build", "-o", bin, "./testdata/baretea")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build baretea: %v\n%s", err, out)
	}
	return bin
}

// tmuxControl is one private tmux server with a shell in window "w",
// driven through a control-mode client: each command is a line written to
// it, and its answer the %begin … %end block that comes back.
type tmuxControl struct {
	tb     testing.TB
	in     io.WriteCloser
	blocks chan []string // each command's output lines; "%error" first for an error
	resets int           // numbers each reset's marker
	done   chan struct{} // closed when the test is over
}

func startControl(tb testing.TB, dir string) *tmuxControl {
	tb.Helper()
	needTool(tb, "tmux")
	sock := fmt.Sprintf("octoha-bench-%d-%d", os.Getpid(), time.Now().UnixNano())
	tmux := func(args ...string) *exec.Cmd {
		cmd := exec.Command("tmux", append([]string{"-L", sock, "-f", "/dev/null"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TERM=xterm-256color")
		return cmd
	}
	if out, err := tmux("new-session", "-d", "-s", "w", "-x", "120", "-y", "40", "-c", dir, "env PS1='$ ' sh").CombinedOutput(); err != nil {
		tb.Fatalf("tmux: %v: %s", err, out)
	}
	ctl := tmux("-C", "attach-session", "-t", "w")
	in, err := ctl.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	out, err := ctl.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := ctl.Start(); err != nil {
		tmux("kill-server").Run()
		tb.Fatal(err)
	}
	c := &tmuxControl{tb: tb, in: in, blocks: make(chan []string, 1), done: make(chan struct{})}
	go c.read(out)
	tb.Cleanup(func() {
		close(c.done) // the reader drains from now on, so the client never blocks writing
		in.Close()
		tmux("kill-server").Run()
		ctl.Process.Kill()
		ctl.Wait()
	})
	c.next("attach-session") // its answer comes first
	// The pane's output as notifications is not needed: captures read it.
	c.run("refresh-client -f no-output")
	if size := c.run("display-message -p -t w '#{window_width}x#{window_height}'"); size != "120x40" {
		tb.Fatalf("the pane is %s, not 120x40", size)
	}
	return c
}

// read turns the control client's output into command answers; lines
// outside a block are notifications and are dropped.
func (c *tmuxControl) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var block []string
	inBlock := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "%begin "):
			block, inBlock = []string{}, true
		case inBlock && strings.HasPrefix(line, "%end "):
			c.answer(block)
			inBlock = false
		case inBlock && strings.HasPrefix(line, "%error "):
			c.answer(append([]string{"%error"}, block...))
			inBlock = false
		case inBlock:
			block = append(block, line)
		}
	}
	close(c.blocks)
}

func (c *tmuxControl) answer(block []string) {
	select {
	case c.blocks <- block:
	case <-c.done:
	}
}

// run sends one tmux command and returns its output.
func (c *tmuxControl) run(command string) string {
	c.tb.Helper()
	if _, err := io.WriteString(c.in, command+"\n"); err != nil {
		c.tb.Fatalf("tmux %s: %v", command, err)
	}
	block := c.next(command)
	if len(block) > 0 && block[0] == "%error" {
		c.tb.Fatalf("tmux %s: %s", command, strings.Join(block[1:], "\n"))
	}
	return strings.Join(block, "\n")
}

// next is the next command's answer.
func (c *tmuxControl) next(command string) []string {
	c.tb.Helper()
	select {
	case block, ok := <-c.blocks:
		if !ok {
			c.tb.Fatalf("tmux %s: the control client ended", command)
		}
		return block
	case <-time.After(10 * time.Second):
		c.tb.Fatalf("tmux %s: no answer in 10s", command)
	}
	return nil
}

func (c *tmuxControl) keys(names ...string) { c.run("send-keys -t w " + strings.Join(names, " ")) }

func (c *tmuxControl) capture() string { return c.run("capture-pane -p -t w") }

// waitFor polls the pane (every 0.2ms plus a capture's round trip) until
// it shows s.
func (c *tmuxControl) waitFor(s string) {
	c.tb.Helper()
	c.poll(func() (string, bool) {
		screen := c.capture()
		return screen, strings.Contains(screen, s)
	})
}

// waitForShell waits until the program in the pane has exited: keys
// typed before then could still reach it, even after it left the alt
// screen.
func (c *tmuxControl) waitForShell() {
	c.tb.Helper()
	c.poll(func() (string, bool) {
		cmd := c.run("display-message -p -t w '#{pane_current_command}'")
		return "the pane runs " + cmd, cmd == "sh"
	})
}

// poll calls done until it says so, failing after 10s with what it saw.
func (c *tmuxControl) poll(done func() (seen string, ok bool)) {
	c.tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		seen, ok := done()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			c.tb.Fatalf("waited 10s; still:\n%s", seen)
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// reset clears the pane and waits for the shell to take a new command.
func (c *tmuxControl) reset() {
	c.tb.Helper()
	c.resets++
	mark := fmt.Sprintf("ready %d", c.resets)
	// The typed line reads "ready" "N", the output "ready N".
	c.run("send-keys -t w -l " + tmuxQuote(fmt.Sprintf(`clear; echo "ready" "%d"`, c.resets)))
	c.keys("Enter")
	c.waitFor(mark)
}

// tmuxQuote is s as one tmux argument: single quotes, in which tmux
// expands nothing.
func tmuxQuote(s string) string {
	if strings.Contains(s, "'") {
		panic("tmuxQuote: " + s + " contains a single quote")
	}
	return "'" + s + "'"
}
