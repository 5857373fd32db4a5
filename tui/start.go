package tui

import (
	"os"
	"path/filepath"

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
	startContinue
)

var startItems = []menuItem{
	{"Set up a new HA cluster", "Answer the questions step by step; octoha writes the scripts and the balancer config.", startNew},
	{"Add a node to an existing cluster", "From the cluster's answers file, or its database: confirm the cluster, name the new node, and export the change.", startAddNode},
	{"Open an answers file", "Continue from a saved answers file, or try one of ./examples/*.yaml.", startOpen},
}

type startScreen struct {
	items   []menuItem
	cursor  int
	asking  bool // the path input is open
	input   textinput.Model
	problem string
	// completion is what the last Tab found, shown under the input.
	completion pathNote
	// resume is the answers file in this folder the menu offers to
	// continue, "" for none.
	resume string
}

// fileLoadedMsg is the answers file the admin asked to open.
type fileLoadedMsg struct {
	file     *steps.File
	byOctoha bool
	err      error
}

// newStartScreen is the start menu. With the answers file already in the
// folder (answersPath), it offers first to continue it; "Open an answers
// file" proposes a file that exists.
func newStartScreen(st styles, answersPath string) startScreen {
	in := newInput(st)
	in.Prompt = "File: "
	s := startScreen{input: in, items: startItems}
	if isFile(answersPath) {
		s.resume = answersPath
		s.items = append([]menuItem{{"Continue " + answersPath, "Pick up where the answers saved in this folder left off.", startContinue}}, startItems...)
	}
	s.input.Placeholder = proposedFile(answersPath)
	return s
}

// proposedFile is the answers file "Open an answers file" proposes: the
// folder's own, else an example beside it, else none.
func proposedFile(answersPath string) string {
	if isFile(answersPath) {
		return answersPath
	}
	if examples, _ := filepath.Glob(filepath.Join("examples", "*.yaml")); len(examples) > 0 {
		return filepath.ToSlash(examples[0])
	}
	return ""
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// load reads an answers file in a command.
func load(path string) tea.Cmd {
	return func() tea.Msg {
		f, byOctoha, err := readAnswers(path)
		return fileLoadedMsg{file: f, byOctoha: byOctoha, err: err}
	}
}

func (s *startScreen) update(e *env, msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case completedMsg:
		if note, ok := msg.applyTo("start", &s.input); ok && s.asking {
			s.completion = note
		}
		return nil
	case fileLoadedMsg:
		if msg.err != nil {
			s.problem = msg.err.Error()
			return nil
		}
		e.post(openAnswersMsg{file: msg.file, byOctoha: msg.byOctoha})
		return nil
	case tea.PasteMsg:
		if s.asking {
			s.completion = pathNote{}
			var cmd tea.Cmd
			s.input, cmd = s.input.Update(msg)
			return cmd
		}
	case tea.KeyPressMsg:
		if s.asking {
			s.completion = pathNote{}
			switch {
			case key.Matches(msg, backKey):
				s.asking, s.problem = false, ""
				s.input.Blur()
				return nil
			case key.Matches(msg, openKey):
				path := s.input.Value()
				if path == "" {
					path = s.input.Placeholder
				}
				return load(path)
			case key.Matches(msg, e.keys.Complete):
				s.completion, s.problem = pathNote{}, ""
				return completeCmd("start", &s.input, false)
			}
			var cmd tea.Cmd
			s.input, cmd = s.input.Update(msg)
			s.problem = ""
			return cmd
		}
		switch {
		case key.Matches(msg, e.keys.MenuNext):
			s.cursor = (s.cursor + 1) % len(s.items)
		case key.Matches(msg, e.keys.MenuPrev):
			s.cursor = (s.cursor + len(s.items) - 1) % len(s.items)
		case key.Matches(msg, chooseKey):
			switch s.items[s.cursor].id {
			case startContinue:
				return load(s.resume)
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
type menuItem struct {
	title, note string
	id          int // what choosing it does, for menus that need to say
}

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
	out = append(out, menuView(&e.st, s.items, s.cursor, w)...)
	if s.asking {
		s.input.SetWidth(max(w-12, 10))
		out = append(out, "", "  "+s.input.View())
		out = append(out, s.completion.lines(&e.st, "  ", w)...)
		if s.problem != "" {
			for _, l := range wrap(s.problem, w-4) {
				out = append(out, "  "+e.st.err.Render(l))
			}
		}
	}
	out = append(out, "")
	for _, l := range wrap("Answers are saved to "+answersPath+" as each step is completed.", w) {
		out = append(out, e.st.dim.Render(l))
	}
	return out
}

// The start screen's own keys, for the help line and the key list.
var (
	chooseKey   = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose"))
	openKey     = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open the file (empty: the one shown)"))
	backKey     = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back"))
	menuMoveKey = key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "move"))
)

func (s *startScreen) keys(e *env) bindings {
	k := e.keys
	if s.asking {
		return bindings{withDesc(openKey, "open"), backKey, k.Quit}
	}
	return bindings{menuMoveKey, chooseKey, k.Quit}
}

// allKeys are every key the start screen answers to, for the key list.
func (s *startScreen) allKeys(e *env) []keyGroup {
	k := e.keys
	if s.asking {
		return []keyGroup{{title: "Open an answers file", keys: []key.Binding{openKey, k.Complete, withDesc(backKey, "back to the menu")}},
			typingGroup(&s.input)}
	}
	return []keyGroup{{title: "Start menu", keys: []key.Binding{k.MenuNext, k.MenuPrev, chooseKey}}}
}
