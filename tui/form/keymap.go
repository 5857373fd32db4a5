package form

import "charm.land/bubbles/v2/key"

// KeyMap is the keys a form answers to, with their help text.
type KeyMap struct {
	Next, Prev key.Binding
	// Enter moves to the next field; on the last it finishes the form.
	Enter, Finish key.Binding
	// Choose moves a Select's choice.
	Choose key.Binding
}

// DefaultKeyMap is tab and the arrows to move, Enter to go on, ←/→ and
// space to choose.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Next:   key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		Prev:   key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous")),
		Enter:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next")),
		Finish: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "finish step")),
		Choose: key.NewBinding(key.WithKeys("left", "right", "space"), key.WithHelp("←/→/space", "choose")),
	}
}
