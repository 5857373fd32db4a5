package tui

import (
	"context"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// keystrokeBudget is how soon a typed character must be on screen while a
// live probe runs: Bubble Tea draws at 60 frames a second, so one or two
// frames, with room for a busy test machine.
const keystrokeBudget = 100 * time.Millisecond

// probeHold is how long the first probe of the SQL Server field blocks.
const probeHold = 2 * time.Second

// heldProbe is a LiveCheck whose first probe of database.server blocks
// for probeHold, or until its ctx is cancelled, and then reports the value
// it saw, cancelled or not, so a stale result does reach the wizard.
// Every other probe answers at once.
type heldProbe struct {
	mu    sync.Mutex
	calls []probeCall
}

type probeCall struct {
	value            string
	started, stopped time.Time
	cancelled        bool
}

func (h *heldProbe) check(ctx context.Context, a steps.Answers, field string, _ bool) validate.Findings {
	if field != "database.server" {
		return nil
	}
	call := probeCall{value: a.Database.Server, started: time.Now()}
	h.mu.Lock()
	first := len(h.calls) == 0
	h.calls = append(h.calls, call)
	i := len(h.calls) - 1
	h.mu.Unlock()
	if first {
		select {
		case <-time.After(probeHold):
		case <-ctx.Done():
			call.cancelled = true
		}
	}
	call.stopped = time.Now()
	h.mu.Lock()
	h.calls[i] = call
	h.mu.Unlock()
	return validate.Findings{{ID: "test.probe", Severity: validate.Warning, Field: field, Message: "the probe saw [" + call.value + "]"}}
}

func (h *heldProbe) snapshot() []probeCall {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]probeCall(nil), h.calls...)
}

// liveWizard is the real Bubble Tea program on the Database screen, its
// screen a vtScreen and its keyboard a pipe.
type liveWizard struct {
	t      *testing.T
	screen *vtScreen
	keys   *io.PipeWriter
}

func startLiveWizard(t *testing.T, probe LiveCheck) *liveWizard {
	t.Helper()
	answers := filepath.Join(t.TempDir(), "answers.yaml") // saved to only when a step is completed
	m := newModel(Options{AnswersPath: answers, NoColor: true, Version: "test", LiveCheck: probe})
	m.newCluster()
	m.goTo(1)
	w := &liveWizard{t: t, screen: newVTScreen(100, 30)}
	in, keys := io.Pipe()
	w.keys = keys
	p := tea.NewProgram(m, tea.WithInput(in), tea.WithOutput(w.screen), tea.WithWindowSize(100, 30),
		tea.WithEnvironment([]string{"TERM=vt100"}), tea.WithoutSignalHandler())
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	t.Cleanup(func() {
		p.Quit()
		keys.Close()
		if err := <-done; err != nil {
			t.Errorf("the wizard ended with %v", err)
		}
		if len(w.screen.unknown) > 0 {
			t.Errorf("the screen did not understand %v", w.screen.unknown)
		}
	})
	w.waitFor("SQL Server database", time.Second)
	return w
}

// press writes keys as a terminal sends them.
func (w *liveWizard) press(b string) {
	w.t.Helper()
	if _, err := io.WriteString(w.keys, b); err != nil {
		w.t.Fatal(err)
	}
}

func (w *liveWizard) waitFor(s string, d time.Duration) string {
	w.t.Helper()
	screen, ok := w.screen.waitFor(d, func(screen string) bool { return strings.Contains(screen, s) })
	if !ok {
		w.t.Fatalf("the screen did not show %q within %v:\n%s", s, d, screen)
	}
	return screen
}

// typeEach types s a character at a time into the focused field, labelled
// label and holding before.
func (w *liveWizard) typeEach(label, before, s string) {
	w.t.Helper()
	value := before
	for _, r := range s {
		value += string(r)
		w.keystroke(label, string(r), value)
	}
}

// keystroke presses key and checks that the row labelled label has the
// focus and shows want within keystrokeBudget.
func (w *liveWizard) keystroke(label, key, want string) {
	w.t.Helper()
	row := regexp.MustCompile(`(?m)^> ` + regexp.QuoteMeta(label) + ` +` + regexp.QuoteMeta(want) + `( |$)`)
	start := time.Now()
	w.press(key)
	screen, ok := w.screen.waitFor(keystrokeBudget, func(screen string) bool { return row.MatchString(screen) })
	if !ok {
		w.t.Fatalf("after %q the %s field did not show %q within %v:\n%s", key, label, want, keystrokeBudget, screen)
	}
	w.t.Logf("%-14s %-10q on screen after %v", label, want, time.Since(start).Round(100*time.Microsecond))
}

// TestKeystrokesWhileProbeHeld is the live-validation issue's test: while a
// probe is held for 2s, keystrokes still update the screen at once; when
// it returns, its finding shows.
func TestKeystrokesWhileProbeHeld(t *testing.T) {
	t.Parallel()
	probe := &heldProbe{}
	w := startLiveWizard(t, probe.check)
	w.typeEach("SQL Server", "", "sql01")
	w.press("\t") // leaving the field starts its probe
	w.waitFor("checking", keystrokeBudget)

	// Port starts empty (1433, or the SQL Browser for a named instance).
	w.typeEach("Port", "", "1434")
	w.keystroke("Port", "\x7f", "143") // backspace
	w.typeEach("Port", "143", "3")
	w.keystroke("Database name", "\t", "Octopus")
	w.typeEach("Database name", "Octopus", "HA")

	calls := probe.snapshot()
	if len(calls) != 1 || !calls[0].stopped.IsZero() {
		t.Fatalf("the typing should have happened while the one probe was held: %+v", calls)
	}
	if typed := time.Since(calls[0].started); typed > probeHold/2 {
		t.Errorf("typing took %v, so it did not test much of the %v hold", typed, probeHold)
	}
	screen := w.waitFor("the probe saw [sql01]", probeHold+time.Second)
	calls = probe.snapshot()
	if held := calls[0].stopped.Sub(calls[0].started); calls[0].cancelled || held < probeHold {
		t.Errorf("the probe was held %v (cancelled %v), not the full %v", held, calls[0].cancelled, probeHold)
	}
	if strings.Contains(screen, "checking") {
		t.Errorf("the spinner still shows after the probe returned:\n%s", screen)
	}
	// The finding sits under the field it is about.
	lines := strings.Split(screen, "\n")
	for i, l := range lines {
		if strings.Contains(l, "the probe saw [sql01]") && (i == 0 || !strings.Contains(lines[i-1], "SQL Server")) {
			t.Errorf("the finding is not under the SQL Server field:\n%s", screen)
		}
	}
}

// TestChangedValueDropsHeldProbe: editing the field while its probe is held
// cancels the probe, and its result for the old value never shows; the
// new value is probed after the typing pause.
func TestChangedValueDropsHeldProbe(t *testing.T) {
	t.Parallel()
	probe := &heldProbe{}
	w := startLiveWizard(t, probe.check)
	w.typeEach("SQL Server", "", "sql01")
	w.press("\t")
	w.waitFor("checking", keystrokeBudget)
	w.press("\x1b[Z") // shift+tab, back to the SQL Server field
	w.typeEach("SQL Server", "sql01", "x")

	// The old value's result comes back at once (cancelled); watch every
	// frame until the new value's result shows, and a few frames more.
	stale := ""
	watch := func(screen string) bool {
		if strings.Contains(screen, "[sql01]") && stale == "" {
			stale = screen
		}
		return false
	}
	screen, ok := w.screen.waitFor(time.Second, func(s string) bool { watch(s); return strings.Contains(s, "the probe saw [sql01x]") })
	if !ok {
		t.Fatalf("the new value's finding did not show:\n%s", screen)
	}
	w.screen.waitFor(100*time.Millisecond, watch)
	if stale != "" {
		t.Errorf("the result for the old value showed:\n%s", stale)
	}
	calls := probe.snapshot()
	if len(calls) != 2 || !calls[0].cancelled || calls[0].value != "sql01" || calls[1].value != "sql01x" {
		t.Fatalf("want the sql01 probe cancelled and then sql01x probed: %+v", calls)
	}
}
