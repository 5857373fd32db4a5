package tui

import (
	"context"
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/octoha/octoha/export"
	"github.com/octoha/octoha/render"
	"github.com/octoha/octoha/steps"
)

// DefaultOutDir is the export folder the Export screen offers.
const DefaultOutDir = "octoha-out"

// AnswersFileName is the copy of the answers saved beside the exported
// files, so the folder says what it was made from.
const AnswersFileName = render.AnswersFile

// exportScreen asks for the output folder and writes through export.Write,
// the same code `octoha export` runs.
type exportScreen struct {
	input     textinput.Model
	running   bool
	overwrite bool // files exist; ctrl+o writes over them
	done      bool
	result    exportedMsg
}

// exportedMsg is what an export did.
type exportedMsg struct {
	dir          string
	res          export.Result
	err          error
	overwritable bool
	// change is an add-node export: the answers are among res.Written.
	change bool
}

func newExportScreen(st styles) exportScreen {
	in := newInput(st)
	in.Prompt = "Output folder: "
	in.SetValue(DefaultOutDir)
	return exportScreen{input: in}
}

func (e *exportScreen) open(m *model) tea.Cmd {
	e.done, e.running, e.overwrite = false, false, false
	e.result = exportedMsg{}
	if dir := m.flow.outDir(); dir != "" {
		e.input.SetValue(dir) // a new folder for each change
	}
	e.input.CursorEnd()
	return e.input.Focus()
}

// write exports in a command: rendering and the disk stay off the update
// loop. The answers copy is part of the same all-or-nothing set.
func (e *exportScreen) write(m *model, force bool) tea.Cmd {
	dir := strings.TrimSpace(e.input.Value())
	if dir == "" {
		dir = DefaultOutDir
	}
	e.running = true
	a := cloneAnswers(m.answers)
	if add, ok := m.flow.(*addFlow); ok {
		return e.writeChange(m, add, a, dir, force)
	}
	return func() tea.Msg {
		msg := exportedMsg{dir: dir}
		msg.res, msg.err = export.WriteWithAnswers(a, dir, force)
		msg.overwritable = errors.Is(msg.err, render.ErrExists)
		return msg
	}
}

// writeChange writes the added node's change through export.AddNode, the
// same code `octoha add-node` runs; it writes the grown answers itself. A
// name the database lists is refused here, as on the New node screen.
func (e *exportScreen) writeChange(m *model, add *addFlow, a steps.Answers, dir string, force bool) tea.Cmd {
	node := add.node
	if m.hasOpenErrors(newNodeIndex) {
		return func() tea.Msg { return exportedMsg{dir: dir, err: export.ErrInvalid} }
	}
	return func() tea.Msg {
		msg := exportedMsg{dir: dir, change: true}
		msg.res, msg.err = export.AddNode(context.Background(), a, export.AddNodeOptions{Node: node, Dir: dir, Force: force})
		msg.overwritable = errors.Is(msg.err, render.ErrExists)
		return msg
	}
}

func (e *exportScreen) finished(m *model, msg exportedMsg) tea.Cmd {
	e.running = false
	e.result = msg
	e.overwrite = msg.overwritable
	e.done = msg.err == nil
	if e.done {
		m.completed[exportIndex] = true
	}
	return nil
}

func (e *exportScreen) update(m *model, msg tea.Msg) tea.Cmd {
	if e.running {
		return nil
	}
	switch msg := msg.(type) {
	case tea.PasteMsg:
		var cmd tea.Cmd
		e.input, cmd = e.input.Update(msg)
		return cmd
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.keys.Back):
			return m.back()
		case e.done && key.Matches(msg, m.keys.Enter):
			return tea.Quit
		case key.Matches(msg, m.keys.Enter):
			return e.write(m, false)
		case e.overwrite && key.Matches(msg, m.keys.Overwrite):
			return e.write(m, true)
		}
		before := e.input.Value()
		var cmd tea.Cmd
		e.input, cmd = e.input.Update(msg)
		if e.input.Value() != before {
			e.overwrite, e.done, e.result = false, false, exportedMsg{}
		}
		return cmd
	}
	return nil
}

func (e *exportScreen) view(m *model, w, h int) []string {
	out := []string{m.st.title.Render("Export"),
		m.st.dim.Render("Writes every script and config into the folder, with a copy of the answers."), ""}
	e.input.SetWidth(max(w-20, 10))
	out = append(out, "  "+e.input.View(), "")
	r := e.result
	switch {
	case e.running:
		out = append(out, "  writing…")
	case e.done:
		for _, p := range r.res.Written {
			out = append(out, "  wrote "+p)
		}
		done := "Done. Copy the folder to the nodes and follow CHECKLIST.md."
		if r.change {
			done = "Done. Follow the folder's CHECKLIST.md; its " + render.AnswersFile + " is the cluster from now on."
		}
		out = append(out, "", m.st.accent.Render(done))
	case r.err != nil:
		text := r.err.Error()
		switch {
		case errors.Is(r.err, export.ErrInvalid):
			text = "The answers still have errors, so nothing was written. Esc goes back to Review, which lists them."
		case r.overwritable:
			text = "Nothing was written: " + text + ". Press ctrl+o to overwrite, or choose another folder."
		default:
			text = "Nothing was written: " + text
		}
		for _, l := range wrap(text, w-4) {
			out = append(out, "  "+m.st.err.Render(l))
		}
	}
	if r.res.Findings != nil && !e.done {
		out = append(out, "")
		out = append(out, m.findingLines(r.res.Findings, "  ", w)...)
	}
	return out
}

func (e *exportScreen) keys(m *model) bindings {
	k := m.keys
	if e.done {
		return bindings{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "quit")), k.Back}
	}
	b := bindings{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "write files"))}
	if e.overwrite {
		b = append(b, k.Overwrite)
	}
	return append(b, k.Back, k.Quit)
}
