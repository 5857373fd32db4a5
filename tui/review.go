package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/octoha/octoha/export"
	"github.com/octoha/octoha/render"
	"github.com/octoha/octoha/validate"
)

// reviewScreen shows every answer grouped by step, every open finding and
// the files an export would write; any file opens in a scrollable preview.
type reviewScreen struct {
	body       viewport.Model
	files      []render.File
	planErr    error
	selected   int
	fileLine   int // the body line of the first file
	previewing bool
	preview    viewport.Model
}

// open renders the files (pure and fast) and lays the body out.
func (r *reviewScreen) open(m *model) {
	r.files, r.planErr = r.plan(m)
	r.selected = min(r.selected, max(len(r.files)-1, 0))
	r.previewing = false
	r.body = viewport.New()
	r.preview = viewport.New()
	r.resize(m)
	r.body.GotoTop()
}

// plan is what an export would write: every file of the cluster, or in
// the add-node flow the change's files (export.AddNode).
func (r *reviewScreen) plan(m *model) ([]render.File, error) {
	return m.flow.plan(m.answers, m.findings)
}

// resize fits the viewports to the window and refills the body.
func (r *reviewScreen) resize(m *model) {
	h := max(m.height-6, 3)
	r.body.SetWidth(m.width)
	r.body.SetHeight(h)
	r.preview.SetWidth(m.width)
	r.preview.SetHeight(h - 1)
	r.refresh(m)
}

// refresh refills the body, e.g. when a live check reports.
func (r *reviewScreen) refresh(m *model) {
	r.body.SetContentLines(r.content(m, m.width))
}

func (r *reviewScreen) update(m *model, msg tea.Msg) tea.Cmd {
	kmsg, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	if r.previewing {
		if key.Matches(kmsg, m.keys.Back) || kmsg.String() == "q" {
			r.previewing = false
			return nil
		}
		var cmd tea.Cmd
		r.preview, cmd = r.preview.Update(kmsg)
		return cmd
	}
	switch {
	case key.Matches(kmsg, m.keys.Back):
		return m.back()
	case key.Matches(kmsg, m.keys.Enter):
		return m.completeStep()
	case key.Matches(kmsg, m.keys.JumpStep):
		return m.goTo(int(kmsg.String()[0] - '1'))
	case key.Matches(kmsg, m.keys.Next):
		r.choose(m, 1)
	case key.Matches(kmsg, m.keys.Prev):
		r.choose(m, -1)
	case key.Matches(kmsg, m.keys.Preview):
		if len(r.files) > 0 {
			r.previewing = true
			r.preview.SetContent(string(r.files[r.selected].Content))
			r.preview.GotoTop()
		}
	case key.Matches(kmsg, m.keys.Scroll):
		var cmd tea.Cmd
		r.body, cmd = r.body.Update(kmsg)
		return cmd
	}
	return nil
}

// choose moves the file selection and scrolls it into view.
func (r *reviewScreen) choose(m *model, delta int) {
	if len(r.files) == 0 {
		r.body.ScrollDown(delta) // nothing to choose: arrows scroll
		return
	}
	r.selected = max(0, min(r.selected+delta, len(r.files)-1))
	r.body.SetContentLines(r.content(m, m.width))
	r.body.EnsureVisible(r.fileLine+r.selected, 0, 0)
}

func (r *reviewScreen) view(m *model, w, h int) []string {
	if r.previewing {
		f := r.files[r.selected]
		head := m.st.title.Render(f.Path) + m.st.dim.Render(fmt.Sprintf("  %d%%", int(r.preview.ScrollPercent()*100)))
		return append([]string{head}, strings.Split(r.preview.View(), "\n")...)
	}
	return strings.Split(r.body.View(), "\n")
}

// content is the review as lines: answers by step, findings, files.
func (r *reviewScreen) content(m *model, w int) []string {
	out := []string{m.st.title.Render("Review"), m.st.dim.Render("Every answer, what is still open, and the files an export writes."), ""}
	for i, s := range formSteps {
		out = append(out, m.st.accent.Render(fmt.Sprintf("%d %s", i+1, s.title)))
		rows := s.fields(&m.answers)
		if s.grid {
			if len(rows) == 0 {
				out = append(out, "    (no nodes)")
			}
			for n := range m.answers.Nodes {
				out = append(out, fmt.Sprintf("    %-3d %-14s %-26s web %-6d comms %d", n+1, m.answers.Nodes[n].Name,
					m.answers.Nodes[n].Host, m.answers.NodeWebPort(n), m.answers.NodeCommsPort(n)))
			}
		} else {
			labelW := 0
			for _, row := range rows {
				labelW = max(labelW, len(row[0].Title()))
			}
			for _, row := range rows {
				fl := row[0]
				v := fl.Value(&m.answers)
				if derived, ok := fl.Derived(&m.answers); v == "" && ok {
					v = m.st.dim.Render(derived)
				}
				out = append(out, "    "+pad(fl.Title(), labelW)+"  "+v)
			}
		}
		out = append(out, "")
	}
	out = append(out, m.flow.reviewLines(m.st, m.answers)...)
	out = append(out, m.st.accent.Render("Open findings"))
	live := m.liveFindings()
	if len(m.findings) == 0 && len(live) == 0 {
		out = append(out, "    none")
	}
	for _, f := range m.findings {
		if f.Field != "" {
			f.Message = f.Field + ": " + f.Message
		}
		out = append(out, m.findingLines(validate.Findings{f}, "    ", w)...)
	}
	for _, f := range live {
		f.Message = f.Field + " (live check): " + f.Message
		out = append(out, m.findingLines(validate.Findings{f}, "    ", w)...)
	}
	out = append(out, "", m.st.accent.Render(m.flow.filesHeading()))
	r.fileLine = len(out)
	switch {
	case r.planErr != nil && len(r.files) == 0:
		why := r.planErr.Error()
		if r.planErr == export.ErrInvalid {
			why = "none until the errors above are fixed"
		}
		for _, l := range wrap(why, w-4) {
			out = append(out, "    "+m.st.dim.Render(l))
		}
	default:
		for i, f := range r.files {
			marker := "    "
			if i == r.selected {
				marker = "  " + m.st.accent.Render("> ")
			}
			out = append(out, marker+f.Path+m.st.dim.Render(fmt.Sprintf("  %d bytes", len(f.Content))))
		}
	}
	return out
}

func (r *reviewScreen) keys(m *model) bindings {
	k := m.keys
	if r.previewing {
		return bindings{k.Scroll, key.NewBinding(key.WithKeys("↑/↓"), key.WithHelp("↑/↓", "scroll")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close preview")), k.Quit}
	}
	enter := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "go to export"))
	b := bindings{enter}
	if len(r.files) > 0 {
		b = append(b, key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "choose file")), k.Preview)
	}
	return append(b, k.Scroll, k.JumpStep, k.Back, k.Quit)
}
