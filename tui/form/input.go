package form

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// Input is an answer typed as text: free text, a whole number or a
// comma-separated list.
type Input[A any] struct {
	base[A]
	get func(a *A) string
	set func(a *A, v string) error
	// masked shows a bullet for each character (a password).
	masked bool
}

// NewInput is a text field read by get and written by set.
func NewInput[A any](key, title string, get func(a *A) string, set func(a *A, v string) error) *Input[A] {
	return &Input[A]{base: base[A]{key: key, title: title}, get: get, set: set}
}

// Text edits a string; surrounding spaces are dropped.
func Text[A any](key, title string, ptr func(a *A) *string) *Input[A] {
	return NewInput(key, title,
		func(a *A) string { return *ptr(a) },
		func(a *A, v string) error { *ptr(a) = strings.TrimSpace(v); return nil })
}

// Number edits an int; an empty value stores 0 (derived or default).
func Number[A any](key, title string, ptr func(a *A) *int) *Input[A] {
	return NewInput(key, title,
		func(a *A) string {
			if n := *ptr(a); n != 0 {
				return strconv.Itoa(n)
			}
			return ""
		},
		func(a *A, v string) error {
			v = strings.TrimSpace(v)
			if v == "" {
				*ptr(a) = 0
				return nil
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("%q is not a whole number", v)
			}
			*ptr(a) = n
			return nil
		})
}

// List edits a list of words as one comma-separated line.
func List[A any](key, title string, ptr func(a *A) *[]string) *Input[A] {
	return NewInput(key, title,
		func(a *A) string { return strings.Join(*ptr(a), ", ") },
		func(a *A, v string) error {
			var list []string
			for _, item := range strings.Split(v, ",") {
				if item = strings.TrimSpace(item); item != "" {
					list = append(list, item)
				}
			}
			*ptr(a) = list
			return nil
		})
}

// WithExplain adds the sentences shown while the field has focus.
func (f *Input[A]) WithExplain(fn func(a *A) string) *Input[A] { f.explain = fn; return f }

// WithDerived adds what an empty answer stands for.
func (f *Input[A]) WithDerived(fn func(a *A) string) *Input[A] { f.derived = fn; return f }

// Masked shows a bullet for each character typed: a password.
func (f *Input[A]) Masked() *Input[A] { f.masked = true; return f }

// WithColumn sets the field's heading and width in a grid row.
func (f *Input[A]) WithColumn(heading string, width int) *Input[A] {
	f.column, f.width = heading, width
	return f
}

func (f *Input[A]) Value(a *A) string           { return f.get(a) }
func (f *Input[A]) Set(a *A, text string) error { return f.set(a, text) }
func (f *Input[A]) KeyBinds(*KeyMap) []key.Binding {
	return nil
}

func (f *Input[A]) Focus(in *textinput.Model, a *A, shown string) tea.Cmd {
	in.EchoMode, in.EchoCharacter = textinput.EchoNormal, '•'
	if f.masked {
		in.EchoMode = textinput.EchoPassword
	}
	in.SetValue(shown)
	in.CursorEnd()
	in.Placeholder, _ = f.Derived(a)
	return in.Focus()
}

func (f *Input[A]) Edit(in *textinput.Model, shown string, msg tea.Msg, _ *KeyMap) (string, bool, tea.Cmd) {
	var cmd tea.Cmd
	*in, cmd = in.Update(msg)
	_, paste := msg.(tea.PasteMsg)
	return in.Value(), paste || in.Value() != shown, cmd
}

// View is the text input when the field has focus, else the text, or
// what an empty answer stands for, dimmed.
func (f *Input[A]) View(t *Theme, in *textinput.Model, a *A, shown string, focused bool, w int) string {
	switch {
	case focused:
		if w = max(w, 1); in.Width() != w {
			// Scroll the text for the new width: a field loaded at
			// another field's width would show its start cut off.
			in.SetWidth(w)
			in.SetCursor(in.Position())
		}
		return in.View()
	case shown == "" && f.derived != nil:
		return t.Dim.On(f.derived(a))
	case f.masked:
		return strings.Repeat("•", len([]rune(shown)))
	}
	return shown
}

// Lines is View in lines of w cells: the text, or what an empty answer
// stands for, wrapped when it does not fit; the focused input scrolls in
// its one line.
func (f *Input[A]) Lines(t *Theme, in *textinput.Model, a *A, shown string, focused bool, w int) []string {
	one := f.View(t, in, a, shown, focused, w)
	if focused || Width(one) <= w {
		return []string{one}
	}
	text, paint := shown, Paint{}
	switch {
	case shown == "" && f.derived != nil:
		text, paint = f.derived(a), t.Dim
	case f.masked:
		text = one
	}
	lines := Wrap(text, w)
	for i, l := range lines {
		lines[i] = paint.On(l)
	}
	return lines
}

func (f *Input[A]) Question(a *A) string { return f.question("", f.get(a), a) }

func (f *Input[A]) Answer(a *A, line string) error { return f.set(a, line) }
