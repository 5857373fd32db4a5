package form

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/octoha/octoha/validate"
)

// answers is a small answers type for the kit's tests.
type answers struct {
	Name  string
	Port  int
	Mode  string
	On    bool
	Items []string
}

func fields(a *answers) [][]Field[answers] {
	rows := [][]Field[answers]{
		{Text("name", "Name", func(a *answers) *string { return &a.Name })},
		{Number("port", "Port", func(a *answers) *int { return &a.Port }).WithDerived(func(*answers) string { return "1433" })},
		{Choice("mode", "Mode", []string{"a", "b", "c"}, func(a *answers) *string { return &a.Mode })},
	}
	if a.Mode == "b" {
		rows = append(rows, []Field[answers]{Confirm("on", "On", func(a *answers) *bool { return &a.On })})
	}
	return rows
}

func newTestForm(a *answers) *Form[answers] {
	in := textinput.New()
	f := New(fields, false, &in)
	f.Open(a)
	return f
}

func press(s string) tea.KeyPressMsg {
	codes := map[string]rune{"tab": tea.KeyTab, "enter": tea.KeyEnter, "left": tea.KeyLeft, "right": tea.KeyRight, "backspace": tea.KeyBackspace}
	if c, ok := codes[s]; ok {
		return tea.KeyPressMsg{Code: c}
	}
	return tea.KeyPressMsg{Code: []rune(s)[0], Text: s}
}

// A port that is not a number stays on screen as pending text with an
// error, and the answer keeps its last good value until it is fixed.
func TestTypingErrorIsPending(t *testing.T) {
	a := &answers{Port: 1}
	f := newTestForm(a)
	keys := DefaultKeyMap()
	f.Update(a, press("tab"), &keys)
	ev, _ := f.Update(a, press("x"), &keys)
	if ev.Edited != "port" || ev.EditedValue != "1x" || a.Port != 1 || !f.IsPending("port") {
		t.Fatalf("after typing x: event %+v, port %d, pending %v", ev, a.Port, f.IsPending("port"))
	}
	if msgs := f.Messages(f.fields[1], &Checks{}); len(msgs) != 1 || !strings.Contains(msgs[0].Message, "not a whole number") {
		t.Errorf("messages under the port: %v", msgs)
	}
	f.Update(a, press("backspace"), &keys)
	if a.Port != 1 || f.HasPending() {
		t.Errorf("after fixing it: port %d, pending %v", a.Port, f.HasPending())
	}
}

// A Select moves with ←/→ wrapping round, and an answer can add a field
// after it without losing the focus.
func TestSelectAddsFieldKeepingFocus(t *testing.T) {
	a := &answers{Mode: "a"}
	f := newTestForm(a)
	keys := DefaultKeyMap()
	f.Focus(a, 2)
	f.Update(a, press("right"), &keys)
	if fl, _ := f.Focused(); a.Mode != "b" || f.Len() != 4 || fl.Key() != "mode" {
		t.Fatalf("mode %q, %d fields, focus %v", a.Mode, f.Len(), fl.Key())
	}
	f.Update(a, press("left"), &keys)
	f.Update(a, press("left"), &keys)
	if a.Mode != "c" || f.Len() != 3 {
		t.Errorf("left twice from b: mode %q, %d fields", a.Mode, f.Len())
	}
}

// Findings show under a field only once the admin has been there, or
// when the form shows everything; Enter on the last field finishes it.
func TestTouchedAndDone(t *testing.T) {
	a := &answers{}
	f := newTestForm(a)
	keys := DefaultKeyMap()
	c := &Checks{Findings: validate.Findings{{Severity: validate.Error, Field: "mode", Message: "pick one"}}, Owns: func(string) bool { return true }}
	if got := f.Messages(f.fields[2], c); got != nil {
		t.Fatalf("untouched field shows %v", got)
	}
	f.Focus(a, 2)
	ev, _ := f.Update(a, press("enter"), &keys)
	if !ev.Done || ev.Left != "mode" || len(f.Messages(f.fields[2], c)) != 1 {
		t.Errorf("Enter on the last field: %+v, messages %v", ev, f.Messages(f.fields[2], c))
	}
}

// The focused row always shows, however many rows there are.
func TestScrollKeepsFocusedRowShowing(t *testing.T) {
	a := &answers{}
	f := newTestForm(a)
	f.Focus(a, 2)
	first, last, more := f.scroll([]int{1, 1, 1}, 2)
	if first > 2 || last <= 2 || !more {
		t.Errorf("rows %d-%d (more %v) hide the focused row 2", first, last, more)
	}
}

// A live check's result for a value that is no longer checked is dropped.
func TestLiveDropsStaleResults(t *testing.T) {
	var l Live
	l.Start("sql01")
	l.Changed("sql02")
	if l.Finish("sql01", validate.Findings{{Message: "stale"}}) || l.Running {
		t.Fatalf("a result for the old value was taken: %+v", l)
	}
	l.Start("sql02")
	if !l.Finish("sql02", nil) || !l.Done("sql02") || l.Findings == nil {
		t.Errorf("the current result was not taken: %+v", l)
	}
}

// Accessible mode asks the same field with its choices and its current or
// derived value, and a Select accepts only its choices.
func TestQuestionAndAnswer(t *testing.T) {
	a := &answers{Mode: "a"}
	rows := fields(a)
	if q := rows[2][0].Question(a); q != "Mode (a/b/c) [a]" {
		t.Errorf("question %q", q)
	}
	if q := rows[1][0].Question(a); q != "Port [empty: 1433]" {
		t.Errorf("question %q", q)
	}
	if err := rows[2][0].Answer(a, "d"); err == nil || !strings.Contains(err.Error(), "answer one of a, b, c") {
		t.Errorf("answer d: %v", err)
	}
	if err := rows[1][0].Answer(a, "x"); err == nil || a.Port != 0 {
		t.Errorf("answer x to a number: %v", err)
	}
}

// The page a finding cites shows once, under the focused field's
// explanation, for the focused field only, and not at all on a screen too
// narrow for the whole URL.
func TestLayoutCitesTheFocusedFieldsPage(t *testing.T) {
	const page = "https://octopus.com/docs/installation/sql-database/self-managed-sql-server"
	a := &answers{}
	f := newTestForm(a)
	f.ShowAll()
	c := &Checks{Findings: validate.Findings{
		{Severity: validate.Warning, Field: "name", Message: "name is odd", Docs: page},
		{Severity: validate.Error, Field: "mode", Message: "pick one", Docs: page + "#create-your-own"},
	}, Owns: func(string) bool { return true }}
	var th Theme
	screen := func(w int) string { return strings.Join(f.Layout(&th, a, c, w, 30), "\n") }
	f.Focus(a, 0)
	if got := screen(100); strings.Count(got, "see "+page) != 1 || strings.Contains(got, "#create-your-own") {
		t.Errorf("focused on name, the screen does not cite name's page once, and only it:\n%s", got)
	}
	if got := screen(100); strings.Contains(got, "name is odd "+page) {
		t.Errorf("the URL is inside the message:\n%s", got)
	}
	f.Focus(a, 1)
	if got := screen(100); strings.Contains(got, "see ") {
		t.Errorf("focused on port, which has no finding, the screen cites a page:\n%s", got)
	}
	f.Focus(a, 0)
	if got := screen(40); strings.Contains(got, "see ") || strings.Contains(got, "octopus.com") {
		t.Errorf("a 40-cell screen shows a URL it cannot fit:\n%s", got)
	}
}
