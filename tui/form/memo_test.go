package form

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/octoha/octoha/validate"
)

// grid is a small grid's answers for the memo's test.
type grid struct{ Rows []gridRow }

type gridRow struct{ Name, Host string }

func gridFields(a *grid) [][]Field[grid] {
	rows := make([][]Field[grid], len(a.Rows))
	for i := range a.Rows {
		p := "rows[" + strconv.Itoa(i) + "]"
		rows[i] = []Field[grid]{
			Text(p+".name", "Name", func(a *grid) *string { return &a.Rows[i].Name }).WithColumn("Name", 8).
				WithExplain(func(a *grid) string {
					return "Row " + strconv.Itoa(i+1) + " of " + strconv.Itoa(len(a.Rows)) + ": a name, long enough to wrap on a narrow screen, which it must."
				}),
			Text(p+".host", "Host", func(a *grid) *string { return &a.Rows[i].Host }).WithColumn("Host", 12).
				WithDerived(func(a *grid) string { return "host" + strconv.Itoa(i) }),
		}
	}
	return rows
}

// gridChecks are findings that follow the answers: their text, severity and
// number change as the admin types.
func gridChecks(a *grid) validate.Findings {
	var out validate.Findings
	if len(a.Rows) == 0 {
		out = append(out, validate.Finding{Severity: validate.Error, Field: "rows", Message: "there are no rows", Fix: "Add one."})
	}
	for i, r := range a.Rows {
		p := "rows[" + strconv.Itoa(i) + "]"
		if r.Name == "" {
			// The same message with another fix, as the rows change.
			out = append(out, validate.Finding{Severity: validate.Error, Field: p + ".name", Message: "the name is empty",
				Fix: "Type the name every row needs, as the " + strconv.Itoa(len(a.Rows)-1) + " others have."})
		}
		if strings.Contains(r.Host, "x") {
			sev := validate.Warning
			if len(r.Host) > 3 {
				sev = validate.Error
			}
			// The same message at another severity, as the host grows.
			out = append(out, validate.Finding{Severity: sev, Field: p + ".host", Message: "the host holds an x, which this test makes a finding of"})
		}
	}
	return out
}

// Whatever the admin does, a form that keeps what it drew lays out the
// same lines as the same form drawing everything afresh: no stale title,
// intro, explanation or finding, at any width or theme.
func TestMemoNeverShowsStaleLines(t *testing.T) {
	styled := &Theme{Title: lipgloss.NewStyle().Bold(true).Underline(true), Label: lipgloss.NewStyle(), FocusLabel: lipgloss.NewStyle().Bold(true),
		Dim: PaintOf(lipgloss.NewStyle().Faint(true)), Accent: PaintOf(lipgloss.NewStyle().Foreground(lipgloss.Color("5"))),
		Warn: PaintOf(lipgloss.NewStyle().Foreground(lipgloss.Color("3"))), Err: PaintOf(lipgloss.NewStyle().Foreground(lipgloss.Color("1")))}
	plain := &Theme{}
	keys := DefaultKeyMap()
	in := textinput.New()
	a := &grid{Rows: []gridRow{{"a", ""}, {"", "x"}, {"c", "cx"}}}
	f := New(gridFields, true, &in)
	f.Title, f.Intro, f.RowsName, f.Empty = "Rows", "One row each. Typing changes the findings below.", "rows", "No rows."
	f.Open(a)
	r := rand.New(rand.NewPCG(5, 6))
	theme, w, h := styled, 60, 16
	typed := []string{"x", "y", "é", " ", "Z"}
	for step := range 4000 {
		var msg tea.KeyPressMsg
		switch op := r.IntN(20); {
		case op < 8:
			s := typed[r.IntN(len(typed))]
			msg = tea.KeyPressMsg{Code: []rune(s)[0], Text: s}
		case op < 11:
			msg = tea.KeyPressMsg{Code: tea.KeyBackspace}
		case op < 13:
			msg = tea.KeyPressMsg{Code: tea.KeyTab}
		case op < 15:
			msg = tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
		case op == 15:
			a.Rows = append(a.Rows, gridRow{})
			f.Refocus(a, "rows["+strconv.Itoa(len(a.Rows)-1)+"].name")
		case op == 16 && len(a.Rows) > 0:
			row := f.FocusRow()
			a.Rows = append(a.Rows[:row:row], a.Rows[row+1:]...)
			f.ForgetPending()
			f.MarkSeen()
			f.Refocus(a, "rows["+strconv.Itoa(max(0, min(row, len(a.Rows)-1)))+"].name")
		case op == 17:
			w, h = []int{24, 41, 60, 80, 120}[r.IntN(5)], 8+r.IntN(20)
		case op == 18:
			theme = []*Theme{styled, plain}[r.IntN(2)]
		default:
			f.Intro = []string{"One row each. Typing changes the findings below.", "Another intro, as a flow's screen sets it."}[r.IntN(2)]
			f.Title = []string{"Rows", "New row"}[r.IntN(2)]
			f.Short = []string{"", "Short."}[r.IntN(2)]
			if r.IntN(3) == 0 {
				f.ShowAll()
			}
		}
		if msg.Code != 0 {
			f.Update(a, msg, &keys)
		}
		c := &Checks{Findings: gridChecks(a), Owns: func(string) bool { return true }}
		fresh := *f
		fresh.memo = memo{}
		want := strings.Join(fresh.Layout(theme, a, c, w, h), "\n")
		if got := strings.Join(f.Layout(theme, a, c, w, h), "\n"); got != want {
			t.Fatalf("step %d (%dx%d): the kept lines differ from fresh ones:\n%s\n---- fresh:\n%s", step, w, h, got, want)
		}
	}
	if len(f.memo.lines) == 0 {
		t.Fatal("the memo kept nothing: the test tests nothing")
	}
}
