package tui

import (
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/octoha/octoha/steps"
)

// reviewModel is the wizard on Review with the answers of an example.
func reviewModel(t testing.TB, example string, w, h int) *model {
	t.Helper()
	f, err := steps.Load(filepath.Join(examples, example+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m := newModel(Options{AnswersPath: filepath.Join(t.TempDir(), "answers.yaml"), NoColor: true, Version: "test"})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.newCluster()
	m.answers = f.Answers
	m.recheck()
	m.goTo(reviewIndex)
	return m
}

// BenchmarkReviewKeystroke is one ↓ on Review (the file selection moves,
// the body is laid out again) and a full frame, for the 4-node example.
func BenchmarkReviewKeystroke(b *testing.B) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		b.Run(itoa(size[0])+"x"+itoa(size[1]), func(b *testing.B) {
			m := reviewModel(b, "4-node-polling-unique-port-nginx", size[0], size[1])
			keys := []tea.KeyPressMsg{{Code: tea.KeyDown}, {Code: tea.KeyUp}}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m.Update(keys[i%2])
				_ = m.View()
			}
		})
	}
}

// TestReviewShowsThePictureAt80x24 runs the real program on Review at
// 80x24 (a vtScreen for its terminal) and pages down the body: every line
// of the cluster's drawing shows whole, in order, every box line is as
// wide as its box and closes with its border, no line passes 80 columns,
// and the header and the help line stay where they are on every page.
func TestReviewShowsThePictureAt80x24(t *testing.T) {
	t.Parallel() // as the other tests of the real program: after the serial ones
	const w, h = 80, 24
	m := reviewModel(t, "4-node-polling-unique-port-nginx", w, h)
	picture := drawCluster(m.answers, w)
	screen := newVTScreen(w, h)
	in, keys := io.Pipe()
	p := tea.NewProgram(m, tea.WithInput(in), tea.WithOutput(screen), tea.WithWindowSize(w, h),
		tea.WithEnvironment([]string{"TERM=vt100"}), tea.WithoutSignalHandler())
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	defer func() {
		p.Quit()
		keys.Close()
		if err := <-done; err != nil {
			t.Errorf("the wizard ended with %v", err)
		}
	}()
	wait := func(what string, ok func(string) bool) string {
		t.Helper()
		s, found := screen.waitFor(2*time.Second, ok)
		if !found {
			t.Fatalf("the screen did not show %s:\n%s", what, s)
		}
		return s
	}
	text := wait("the picture", func(s string) bool { return strings.Contains(s, "The cluster as answered") })
	var seen []string
	for page := 0; ; page++ {
		rows := strings.Split(text, "\n")
		if !strings.HasPrefix(rows[0], "octoha ") || !strings.HasSuffix(strings.TrimRight(rows[0], " "), "Review  Export") || !strings.Contains(text, "enter go to export") {
			t.Fatalf("page %d: the header or the help line is gone:\n%s", page, text)
		}
		for i, row := range rows {
			if ansi.StringWidth(row) > w {
				t.Errorf("page %d, row %d is %d wide: %q", page, i, ansi.StringWidth(row), row)
			}
			if boxRow(row) && !closesBox(row) {
				t.Errorf("page %d, row %d: a box line does not close at its border: %q", page, i, row)
			}
			seen = append(seen, strings.TrimRight(row, " "))
		}
		if strings.Contains(text, "Open findings") || page > 20 {
			break
		}
		keys.Write([]byte("\x1b[6~")) // PgDn
		before := text
		text = wait("the next page", func(s string) bool { return s != before })
		// The renderer may draw a page in more than one write: let it finish.
		time.Sleep(50 * time.Millisecond)
		text = screen.Text()
	}
	at := 0
	for _, line := range picture {
		line = strings.TrimRight(line, " ")
		for at < len(seen) && seen[at] != line {
			at++
		}
		if at == len(seen) {
			t.Fatalf("Review at %dx%d never showed the drawing's line %q (in order)", w, h, line)
		}
	}
}

// boxRow says a screen row is a line of one of the picture's boxes, which
// start at the picture's indent (an arrow's line starts further right).
func boxRow(row string) bool {
	t, ok := strings.CutPrefix(row, pictureIndent)
	return ok && (strings.HasPrefix(t, "┌") || strings.HasPrefix(t, "│") || strings.HasPrefix(t, "└"))
}

// closesBox says a box line ends with the border its first cell opens,
// the picture's right edge.
func closesBox(row string) bool {
	t := strings.TrimRight(row, " ")
	switch strings.TrimLeft(t, " ")[:len("┌")] {
	case "┌":
		return strings.HasSuffix(t, "┐")
	case "└":
		return strings.HasSuffix(t, "┘")
	}
	return strings.HasSuffix(t, "│")
}

// TestReviewPictureFitsTheBody: at 80 columns and wider the boxes fit the
// body with the answers' indent; where the body is too narrow for boxes,
// the picture is the list form; and a keystroke on Review (the file
// selection moving) leaves the drawing as it was made.
func TestReviewPictureFitsTheBody(t *testing.T) {
	for _, w := range []int{120, 80, 60} {
		m := reviewModel(t, "3-node-polling-redis-haproxy", w, 40)
		if !strings.Contains(strings.Join(m.review.picture, "\n"), "┌─ Load balancer: HAProxy") {
			t.Errorf("width %d: no boxes:\n%s", w, strings.Join(m.review.picture, "\n"))
		}
		for _, line := range m.review.picture {
			if ansi.StringWidth(line) > w {
				t.Errorf("width %d: %q is %d wide", w, line, ansi.StringWidth(line))
			}
		}
	}
	m := reviewModel(t, "3-node-polling-redis-haproxy", 40, 24)
	if drawing := strings.Join(m.review.picture, "\n"); strings.Contains(drawing, "┌") || !strings.Contains(drawing, "redis01.corp.local") {
		t.Errorf("at 40 columns the picture is not the list form:\n%s", drawing)
	}
	m = reviewModel(t, "3-node-polling-redis-haproxy", 80, 24)
	first := &m.review.picture[0]
	m.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	if &m.review.picture[0] != first {
		t.Error("a keystroke on Review drew the picture again")
	}
}
