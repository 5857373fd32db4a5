package tui

import (
	"charm.land/bubbles/v2/key"

	"github.com/octoha/octoha/tui/form"
)

// keyMap is every key the wizard answers to, with its help text. Screens
// pick the ones that apply (see helpLine), so the help line never offers a
// key that does nothing there.
type keyMap struct {
	Next, Prev       key.Binding
	Enter, Back      key.Binding
	Choose           key.Binding
	AddNode, DelNode key.Binding
	Preview, Scroll  key.Binding
	JumpStep         key.Binding
	Quit             key.Binding
	Save, QuitNow    key.Binding
	Cancel           key.Binding
	Overwrite        key.Binding
	// form is the question screens' own keys (Next, Prev, Enter, Choose).
	form form.KeyMap
}

func newKeyMap() keyMap {
	fk := form.DefaultKeyMap()
	return keyMap{
		form:      fk,
		Next:      fk.Next,
		Prev:      fk.Prev,
		Enter:     fk.Enter,
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back a step")),
		Choose:    fk.Choose,
		AddNode:   key.NewBinding(key.WithKeys("ctrl+n"), key.WithHelp("ctrl+n", "add node")),
		DelNode:   key.NewBinding(key.WithKeys("ctrl+x"), key.WithHelp("ctrl+x", "remove node")),
		Preview:   key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "preview file")),
		Scroll:    key.NewBinding(key.WithKeys("pgup", "pgdown"), key.WithHelp("pgup/pgdn", "scroll")),
		JumpStep:  key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6"), key.WithHelp("1-6", "edit a step")),
		Quit:      key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Save:      key.NewBinding(key.WithKeys("s", "enter"), key.WithHelp("s", "save and quit")),
		QuitNow:   key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit without saving")),
		Cancel:    key.NewBinding(key.WithKeys("c", "esc"), key.WithHelp("c/esc", "cancel")),
		Overwrite: key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "overwrite")),
	}
}

// bindings is a help.KeyMap made of whatever bindings a screen offers now.
type bindings []key.Binding

func (b bindings) ShortHelp() []key.Binding  { return b }
func (b bindings) FullHelp() [][]key.Binding { return [][]key.Binding{b} }
