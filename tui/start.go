package tui

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/octoha/octoha/steps"
)

// The start screen's choices.
const (
	startNew = iota
	startAddNode
	startOpen
)

var startItems = []menuItem{
	{"Set up a new HA cluster", "Answer the questions step by step; octoha writes the scripts and the balancer config."},
	{"Add a node to an existing cluster", "From the cluster's answers file, or its database: confirm the cluster, name the new node, and export the change."},
	{"Open an answers file", "Continue from a saved answers file, or try one of ./examples/*.yaml."},
}

type startScreen struct {
	cursor  int
	asking  bool // the path input is open
	input   textinput.Model
	problem string
}

// fileLoadedMsg is the answers file the admin asked to open.
type fileLoadedMsg struct {
	file     *steps.File
	byOctoha bool
	err      error
}

func newStartScreen(st styles) startScreen {
	in := newInput(st)
	in.Prompt = "File: "
	in.Placeholder = "examples/3-node-polling-redis-haproxy.yaml"
	return startScreen{input: in}
}

func (s *startScreen) update(e *env, msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case fileLoadedMsg:
		if msg.err != nil {
			s.problem = msg.err.Error()
			return nil
		}
		e.post(openAnswersMsg{file: msg.file, byOctoha: msg.byOctoha})
		return nil
	case tea.PasteMsg:
		if s.asking {
			var cmd tea.Cmd
			s.input, cmd = s.input.Update(msg)
			return cmd
		}
	case tea.KeyPressMsg:
		if s.asking {
			switch {
			case key.Matches(msg, e.keys.Back):
				s.asking, s.problem = false, ""
				s.input.Blur()
				return nil
			case key.Matches(msg, e.keys.Enter):
				path := s.input.Value()
				if path == "" {
					path = s.input.Placeholder
				}
				return func() tea.Msg {
					f, byOctoha, err := readAnswers(path)
					return fileLoadedMsg{file: f, byOctoha: byOctoha, err: err}
				}
			}
			var cmd tea.Cmd
			s.input, cmd = s.input.Update(msg)
			s.problem = ""
			return cmd
		}
		switch {
		case key.Matches(msg, e.keys.Next):
			s.cursor = (s.cursor + 1) % len(startItems)
		case key.Matches(msg, e.keys.Prev):
			s.cursor = (s.cursor + len(startItems) - 1) % len(startItems)
		case key.Matches(msg, e.keys.Enter):
			switch s.cursor {
			case startNew:
				e.post(newClusterMsg{})
				return nil
			case startAddNode:
				e.post(setupMsg{open: true})
				return nil
			case startOpen:
				s.asking = true
				return s.input.Focus()
			}
		}
	}
	return nil
}

// menuItem is one choice of a menu, with the note shown under it when
// it is the focused one.
type menuItem struct{ title, note string }

// menuView draws a menu: "> " and the focus style on the chosen item, and
// that item's note wrapped under it.
func menuView(st *styles, items []menuItem, cursor, w int) []string {
	var out []string
	for i, item := range items {
		marker, style := "  ", st.label
		if i == cursor {
			marker, style = st.accent.Render("> "), st.focusLabel
		}
		out = append(out, marker+style.Render(item.title))
		if i == cursor {
			for _, l := range wrap(item.note, w-4) {
				out = append(out, "    "+st.dim.Render(l))
			}
		}
	}
	return out
}

// view is the start screen; answersPath is where the answers are saved.
func (s *startScreen) view(e *env, answersPath string, w, h int) []string {
	out := []string{e.st.title.Render("What would you like to do?"), ""}
	out = append(out, menuView(&e.st, startItems, s.cursor, w)...)
	if s.asking {
		s.input.SetWidth(max(w-12, 10))
		out = append(out, "", "  "+s.input.View())
		if s.problem != "" {
			for _, l := range wrap(s.problem, w-4) {
				out = append(out, "  "+e.st.err.Render(l))
			}
		}
	}
	out = append(out, "", e.st.dim.Render("Answers are saved to "+answersPath+" as each step is completed."))
	return out
}

func (s *startScreen) keys(e *env) bindings {
	k := e.keys
	if s.asking {
		return bindings{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")), k.Quit}
	}
	return bindings{key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "move")),
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")), k.Quit}
}
