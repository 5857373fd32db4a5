// Package form is the wizard's form kit, in the shape of Charm's huh: a
// Field interface with one type per kind of answer (Input for text,
// numbers and lists; Select for a few words, Confirm for yes / no), and a
// Form that lays fields out in rows (one per row, or a grid), moves focus,
// scrolls, and keeps what the admin typed that is not an answer yet
// (pending), which fields the admin has been to (touched) and each field's
// live check (Live).
//
// Fields read and write the answers they are given (of type A) and hold
// no state of their own, so a screen rebuilds them from the answers after
// every change: an answer can add or remove others.
package form

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// Field is one answer on a form. Its Key is the answers path the checks'
// findings name, so a form shows each finding under the field it is about.
type Field[A any] interface {
	// Key is the field's answers path, e.g. "database.server".
	Key() string
	// Title is the field's label.
	Title() string
	// Value is the answer as text.
	Value(a *A) string
	// Set stores text as the answer; an error means the text cannot be an
	// answer (a port that is not a number) and shows as an error.
	Set(a *A, text string) error
	// Derived is what an empty answer stands for (a node's comms port),
	// shown dimmed in its place; ok is false when empty means empty.
	Derived(a *A) (text string, ok bool)
	// Explain is one or two sentences shown while the field has focus;
	// ok is false for none.
	Explain(a *A) (text string, ok bool)
	// Column is the field's heading and width in a grid row.
	Column() (heading string, width int)
	// KeyBinds are the keys the field adds to the help line.
	KeyBinds(k *KeyMap) []key.Binding

	// Focus loads the field into the form's text input (or blurs it, for a
	// field that is not typed); shown is the text the field shows.
	Focus(in *textinput.Model, a *A, shown string) tea.Cmd
	// Edit applies a key press or a paste; changed is false when it
	// changed nothing (the cursor moved), else text is the new text.
	Edit(in *textinput.Model, shown string, msg tea.Msg, k *KeyMap) (text string, changed bool, cmd tea.Cmd)
	// View draws the value in w cells.
	View(t *Theme, in *textinput.Model, a *A, shown string, focused bool, w int) string

	// Question is the field asked on one line (accessible mode):
	// "Label (a/b) [current]".
	Question(a *A) string
	// Answer stores a line typed in accessible mode.
	Answer(a *A, line string) error
}

// base is what every kind of field has.
type base[A any] struct {
	key, title string
	explain    func(a *A) string
	derived    func(a *A) string
	column     string
	width      int
}

func (b *base[A]) Key() string   { return b.key }
func (b *base[A]) Title() string { return b.title }

func (b *base[A]) Derived(a *A) (string, bool) {
	if b.derived == nil {
		return "", false
	}
	return b.derived(a), true
}

func (b *base[A]) Explain(a *A) (string, bool) {
	if b.explain == nil {
		return "", false
	}
	return b.explain(a), true
}

func (b *base[A]) Column() (string, int) { return b.column, b.width }

// question is the label with hint, and the current answer or what an
// empty one stands for in brackets.
func (b *base[A]) question(hint, cur string, a *A) string {
	q := b.title + hint
	switch {
	case cur != "":
		q += " [" + cur + "]"
	case b.derived != nil:
		q += " [empty: " + b.derived(a) + "]"
	}
	return q
}
