package form

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// Select is one of a few words, moved with ←/→ (and space), all shown
// side by side.
type Select[A any] struct {
	base[A]
	choices []string
	get     func(a *A) string
	set     func(a *A, v string) error
}

// Choice picks one of choices for a string answer.
func Choice[A any](key, title string, choices []string, ptr func(a *A) *string) *Select[A] {
	return &Select[A]{base: base[A]{key: key, title: title}, choices: choices,
		get: func(a *A) string { return *ptr(a) },
		set: func(a *A, v string) error { *ptr(a) = strings.TrimSpace(v); return nil }}
}

// Confirm is a bool as the choice yes / no.
func Confirm[A any](key, title string, ptr func(a *A) *bool) *Select[A] {
	return &Select[A]{base: base[A]{key: key, title: title}, choices: []string{"yes", "no"},
		get: func(a *A) string {
			if *ptr(a) {
				return "yes"
			}
			return "no"
		},
		set: func(a *A, v string) error {
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "yes", "y", "true":
				*ptr(a) = true
			case "no", "n", "false":
				*ptr(a) = false
			default:
				return fmt.Errorf("answer yes or no, not %q", v)
			}
			return nil
		}}
}

// WithExplain adds the sentences shown while the field has focus.
func (f *Select[A]) WithExplain(fn func(a *A) string) *Select[A] { f.explain = fn; return f }

func (f *Select[A]) Value(a *A) string           { return f.get(a) }
func (f *Select[A]) Set(a *A, text string) error { return f.set(a, text) }

func (f *Select[A]) KeyBinds(k *KeyMap) []key.Binding { return []key.Binding{k.Choose} }

// Focus leaves the text input blurred: a choice is not typed.
func (f *Select[A]) Focus(in *textinput.Model, _ *A, _ string) tea.Cmd {
	in.Blur()
	return nil
}

// Edit moves the choice: ← back, → and space on, wrapping round.
func (f *Select[A]) Edit(_ *textinput.Model, shown string, msg tea.Msg, _ *KeyMap) (string, bool, tea.Cmd) {
	press, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return "", false, nil
	}
	switch press.String() {
	case "left":
		return f.next(shown, -1), true, nil
	case "right", "space":
		return f.next(shown, 1), true, nil
	}
	return "", false, nil
}

// next is the choice delta (±1) from cur; an answer that is none of the
// choices counts as the first.
func (f *Select[A]) next(cur string, delta int) string {
	i := 0
	for j, c := range f.choices {
		if c == cur {
			i = j
			break
		}
	}
	return f.choices[(i+delta+len(f.choices))%len(f.choices)]
}

// View is the choices side by side, the chosen one marked "(•)".
func (f *Select[A]) View(t *Theme, _ *textinput.Model, a *A, _ string, _ bool, _ int) string {
	return strings.Join(f.parts(t, a), "  ")
}

// parts are the choices drawn, the chosen one marked "(•)".
func (f *Select[A]) parts(t *Theme, a *A) []string {
	cur := f.get(a)
	parts := make([]string, len(f.choices))
	for i, c := range f.choices {
		if c == cur {
			parts[i] = t.On.On("(•) " + c)
		} else {
			parts[i] = t.Off.On("( ) " + c)
		}
	}
	return parts
}

// Lines is the choices side by side, as many to a line as fit in w.
func (f *Select[A]) Lines(t *Theme, _ *textinput.Model, a *A, _ string, _ bool, w int) []string {
	var lines []string
	var line strings.Builder
	n := 0
	for _, part := range f.parts(t, a) {
		if n > 0 && n+2+Width(part) > w {
			lines = append(lines, line.String())
			line.Reset()
			n = 0
		}
		if n > 0 {
			line.WriteString("  ")
			n += 2
		}
		line.WriteString(part)
		n += Width(part)
	}
	return append(lines, line.String())
}

func (f *Select[A]) Question(a *A) string {
	return f.question(" ("+strings.Join(f.choices, "/")+")", f.get(a), a)
}

// Answer accepts one of the choices, as written.
func (f *Select[A]) Answer(a *A, line string) error {
	for _, c := range f.choices {
		if c == line {
			return f.set(a, line)
		}
	}
	return fmt.Errorf("answer one of %s", strings.Join(f.choices, ", "))
}
