package tui

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/octoha/octoha/internal/testkit"
)

// examples is the repository's examples folder, absolute because tests
// change into a temporary folder.
var examples = testkit.ExamplesDir()

// testdata is the golden views' folder, absolute for the same reason.
var testdata, _ = filepath.Abs("testdata")

// newTestModel is a wizard without colour at w x h, working in (and
// saving into) a temporary folder, so frames name no temporary path.
func newTestModel(t *testing.T, w, h int) *model {
	t.Helper()
	t.Chdir(t.TempDir())
	m := newModel(Options{AnswersPath: DefaultAnswersPath, NoColor: true, Version: "test"})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// keyMsg turns a key name as the help line writes it into a key press.
func keyMsg(name string) tea.KeyPressMsg {
	var mod tea.KeyMod
	if rest, ok := strings.CutPrefix(name, "ctrl+"); ok {
		mod, name = tea.ModCtrl, rest
	}
	if rest, ok := strings.CutPrefix(name, "shift+"); ok {
		mod, name = mod|tea.ModShift, rest
	}
	codes := map[string]rune{
		"enter": tea.KeyEnter, "tab": tea.KeyTab, "esc": tea.KeyEscape, "up": tea.KeyUp, "down": tea.KeyDown,
		"left": tea.KeyLeft, "right": tea.KeyRight, "space": tea.KeySpace, "backspace": tea.KeyBackspace,
		"pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp,
	}
	if c, ok := codes[name]; ok {
		return tea.KeyPressMsg{Code: c, Mod: mod}
	}
	r := []rune(name)[0]
	if mod != 0 {
		return tea.KeyPressMsg{Code: r, Mod: mod}
	}
	return tea.KeyPressMsg{Code: r, Text: name}
}

// press sends keys one by one, running the commands they return.
func press(t testing.TB, m *model, keys ...string) {
	t.Helper()
	for _, k := range keys {
		_, cmd := m.Update(keyMsg(k))
		drive(m, cmd, 0)
	}
}

// typeText types s a character at a time.
func typeText(t testing.TB, m *model, s string) {
	t.Helper()
	for _, r := range s {
		_, cmd := m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		drive(m, cmd, 0)
	}
}

// drive runs a command and feeds its messages back, as the program would.
// Commands that do not answer within 200ms (timers: the live-check pause,
// the spinner) are dropped; tests that need them send the message.
func drive(m *model, cmd tea.Cmd, depth int) {
	if cmd == nil || depth > 8 {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(200 * time.Millisecond):
		return
	}
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			drive(m, c, depth+1)
		}
	default:
		if _, quit := msg.(tea.QuitMsg); quit {
			return
		}
		_, next := m.Update(msg)
		drive(m, next, depth+1)
	}
}

// screen is the frame as plain text.
func screen(m *model) string { return ansi.Strip(m.render()) }

// golden compares the frame with testdata/name_WxH.golden.
func golden(t *testing.T, m *model, name string) {
	t.Helper()
	testkit.Golden(t, filepath.Join(testdata, name+"_"+itoa(m.width)+"x"+itoa(m.height)+".golden"), []byte(screen(m)))
}

// lineWith is the first line of the frame containing s, "" when none.
func lineWith(m *model, s string) string {
	for _, l := range strings.Split(screen(m), "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}
