package tui

import "charm.land/bubbles/v2/key"

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
}

func newKeyMap() keyMap {
	return keyMap{
		Next:      key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		Prev:      key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous")),
		Enter:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back a step")),
		Choose:    key.NewBinding(key.WithKeys("left", "right", "space"), key.WithHelp("←/→", "choose")),
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
