package tui

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"

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
	// MenuNext and MenuPrev move a menu's choice: Next and Prev's keys.
	MenuNext, MenuPrev key.Binding
	// Complete completes a local path, as a shell's Tab does.
	Complete key.Binding
	// AllKeys opens the list of every key on the screen (keylist.go);
	// CloseKeys and ScrollKeys work in it.
	AllKeys, CloseKeys, ScrollKeys key.Binding
	// KeysF1 opens the list even while the admin types, where ? is typed.
	KeysF1 key.Binding
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
		Save:      key.NewBinding(key.WithKeys("s", "enter"), key.WithHelp("s/enter", "save and quit")),
		QuitNow:   key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit without saving")),
		Cancel:    key.NewBinding(key.WithKeys("c", "esc"), key.WithHelp("c/esc", "cancel")),
		Overwrite: key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "overwrite")),
		MenuNext:  key.NewBinding(key.WithKeys(fk.Next.Keys()...), key.WithHelp(fk.Next.Help().Key, "next choice")),
		MenuPrev:  key.NewBinding(key.WithKeys(fk.Prev.Keys()...), key.WithHelp(fk.Prev.Help().Key, "previous choice")),
		Complete:  key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "complete the path")),
		AllKeys:   key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "all keys")),
		KeysF1:    key.NewBinding(key.WithKeys("f1"), key.WithHelp("f1", "this list, also while typing")),
		CloseKeys: key.NewBinding(key.WithKeys("?", "f1", "esc"), key.WithHelp("?/esc", "close this list")),
		ScrollKeys: key.NewBinding(key.WithKeys("up", "down", "pgup", "pgdown"),
			key.WithHelp("↑/↓ pgup/pgdn", "scroll this list")),
	}
}

// typingKeys are a text input's editing keys, from its own key map, with
// help text: the keys its Update answers to besides the characters typed.
// Paste (ctrl+v) is left out: it reads the clipboard through the terminal,
// which most refuse; the terminal's own paste works everywhere.
func typingKeys(km textinput.KeyMap) []key.Binding {
	join := func(help, desc string, bs ...key.Binding) key.Binding {
		var keys []string
		for _, b := range bs {
			keys = append(keys, b.Keys()...)
		}
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return []key.Binding{
		join("←/→ alt+←/→", "move a character, a word (also ctrl+b/f, alt+b/f)", km.CharacterBackward, km.CharacterForward, km.WordBackward, km.WordForward),
		join("home/end", "to the start, to the end (also ctrl+a/e)", km.LineStart, km.LineEnd),
		join("backspace/delete", "delete a character (also ctrl+h/d)", km.DeleteCharacterBackward, km.DeleteCharacterForward),
		join("ctrl+w/alt+d", "delete the word before, after the cursor", km.DeleteWordBackward, km.DeleteWordForward),
		join("ctrl+u/ctrl+k", "delete to the start, to the end", km.DeleteBeforeCursor, km.DeleteAfterCursor),
	}
}

// bindings is a help.KeyMap made of whatever bindings a screen offers now.
type bindings []key.Binding

func (b bindings) ShortHelp() []key.Binding  { return b }
func (b bindings) FullHelp() [][]key.Binding { return [][]key.Binding{b} }

// withDesc is b with another description: the same keys, said as they
// act on one screen.
func withDesc(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}
