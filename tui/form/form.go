package form

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/octoha/octoha/validate"
)

// Form is one screen of fields: laid out in rows (one field a row, or a
// grid of cells), with the focus, the scroll offset, the text typed that
// is not an answer yet, and the fields the admin has been to. Focus is
// kept by key, so a re-layout (a field appearing) never loses it.
type Form[A any] struct {
	Title, Intro string
	// Short is the intro for a window too small for Intro and the
	// focused row; "" cuts Intro instead.
	Short string
	// Empty is shown when the form has no fields (a grid with no rows).
	Empty string
	// RowsName names a grid's rows in "nodes 3-8 of 16".
	RowsName string
	grid     bool
	build    func(a *A) [][]Field[A]

	rows     [][]Field[A]
	fields   []Field[A] // rows flattened, in tab order
	rowOf    []int
	rowStart []int // the tab-order index of each row's first field
	focus    int
	offset   int    // first row shown when the rows do not fit
	last     string // the focused key, for coming back
	// input is the text input of the focused field; the forms of one
	// program share it, as only one shows at a time.
	input *textinput.Model

	pending map[string]Pending
	// touched fields show their findings; untouched ones stay quiet until
	// the admin has been there, so a new screen is not a wall of red.
	touched map[string]bool
	// showAll shows every field's findings (answers opened from a file).
	showAll bool
	// seen shows the findings no field shows (e.g. "there are no
	// nodes"): set when the admin leaves or finishes the form.
	seen bool
	// quiet fields show no findings until the focus leaves them, even
	// with showAll: a row just added is not a row of "is empty" errors.
	quiet map[string]bool
	// proposed fields hold a value octoha proposed: the first character
	// typed or pasted there replaces it, as with a selected default.
	proposed map[string]bool

	memo memo // lines drawn from text that has not changed since
}

// Pending is text that could not be stored (a port that is not a
// number), with why; it stays on screen as an error until fixed.
type Pending struct {
	Text string
	Err  error
}

// Event is what a key did that the form's owner acts on.
type Event struct {
	// Left is the field the focus left, with the value it shows; Left is
	// "" when the focus stayed.
	Left, LeftValue string
	// Edited is the field whose answer (or pending text) changed, with
	// the text it shows now.
	Edited, EditedValue string
	// Typed is true when the edit came through the text input (not a
	// Select's choice).
	Typed bool
	// Done is Enter on the last field: the form is finished.
	Done bool
}

// New is a form of the fields build lays out from the answers: one
// field a row, or with grid, one row of cells per item.
func New[A any](build func(a *A) [][]Field[A], grid bool, in *textinput.Model) *Form[A] {
	return &Form[A]{build: build, grid: grid, input: in,
		pending: map[string]Pending{}, touched: map[string]bool{}, quiet: map[string]bool{}, proposed: map[string]bool{}}
}

// Grid reports whether the form is a grid of rows of cells.
func (f *Form[A]) Grid() bool { return f.grid }

// Fields are the fields build lays out from a, in tab order.
func (f *Form[A]) Fields(a *A) []Field[A] {
	var out []Field[A]
	for _, row := range f.build(a) {
		out = append(out, row...)
	}
	return out
}

// Open shows the form with the focus where the admin left it.
func (f *Form[A]) Open(a *A) tea.Cmd {
	f.offset, f.focus = 0, 0
	f.Relayout(a, f.last)
	return f.load(a)
}

// Relayout rebuilds the fields from the answers and puts the focus back
// on the field at key (or the nearest one when it is gone).
func (f *Form[A]) Relayout(a *A, key string) {
	f.rows = f.build(a)
	f.fields, f.rowOf, f.rowStart = f.fields[:0], f.rowOf[:0], f.rowStart[:0]
	for r, row := range f.rows {
		f.rowStart = append(f.rowStart, len(f.fields))
		for _, fl := range row {
			f.fields = append(f.fields, fl)
			f.rowOf = append(f.rowOf, r)
		}
	}
	for i, fl := range f.fields {
		if fl.Key() == key {
			f.focus = i
			return
		}
	}
	f.focus = max(0, min(f.focus, len(f.fields)-1))
}

// Refocus re-lays the form out with the focus on key, loaded.
func (f *Form[A]) Refocus(a *A, key string) tea.Cmd {
	f.Relayout(a, key)
	return f.load(a)
}

// Focused is the field with focus; ok is false on a form with no fields.
func (f *Form[A]) Focused() (Field[A], bool) {
	if f.focus < 0 || f.focus >= len(f.fields) {
		return nil, false
	}
	return f.fields[f.focus], true
}

// Len is the number of fields on the form.
func (f *Form[A]) Len() int { return len(f.fields) }

// OnLast reports whether the focus is on the last field (or there is
// none), where Enter finishes the form.
func (f *Form[A]) OnLast() bool { return f.focus >= len(f.fields)-1 }

// FocusRow is the row of the focused field.
func (f *Form[A]) FocusRow() int {
	if len(f.rowOf) == 0 {
		return 0
	}
	return f.rowOf[f.focus]
}

// Focus puts the focus on field i (in tab order) and loads it.
func (f *Form[A]) Focus(a *A, i int) tea.Cmd {
	f.focus = max(0, min(i, len(f.fields)-1))
	return f.load(a)
}

// load puts the focused field in the text input.
func (f *Form[A]) load(a *A) tea.Cmd {
	fl, ok := f.Focused()
	if !ok {
		f.input.Blur()
		return nil
	}
	f.last = fl.Key()
	return fl.Focus(f.input, a, f.Shown(a, fl))
}

// Shown is what a field shows: pending text, else the answer.
func (f *Form[A]) Shown(a *A, fl Field[A]) string {
	if p, ok := f.pending[fl.Key()]; ok {
		return p.Text
	}
	return fl.Value(a)
}

// PendingError is why key's text is not an answer, nil when it is.
func (f *Form[A]) PendingError(key string) error {
	return f.pending[key].Err
}

// HasPending reports whether any text on the form is not an answer yet.
func (f *Form[A]) HasPending() bool { return len(f.pending) > 0 }

// IsPending reports whether key's text is not an answer yet.
func (f *Form[A]) IsPending(key string) bool {
	_, ok := f.pending[key]
	return ok
}

// ForgetPending drops every pending text, quiet field and proposal mark,
// e.g. when the grid's rows are renumbered.
func (f *Form[A]) ForgetPending() { clear(f.pending); clear(f.quiet); clear(f.proposed) }

// ShowAll shows every field's findings at once (answers opened from a
// file) and the findings no field shows.
func (f *Form[A]) ShowAll() { f.showAll, f.seen = true, true }

// Quiet keeps the fields at keys from showing findings until the focus
// leaves each (or the form is finished): fields just added, such as a new
// grid row.
func (f *Form[A]) Quiet(keys ...string) {
	for _, k := range keys {
		f.quiet[k] = true
	}
}

// Propose marks the answers at keys as proposals: the first character
// typed or pasted into one replaces it, and any other edit keeps it.
func (f *Form[A]) Propose(keys ...string) {
	for _, k := range keys {
		f.proposed[k] = true
	}
}

// Proposed reports whether key holds a proposal not edited yet.
func (f *Form[A]) Proposed(key string) bool { return f.proposed[key] }

// MarkSeen shows the findings no field shows.
func (f *Form[A]) MarkSeen() { f.seen = true }

// Update moves the focus (Next, Prev, Enter) or edits the focused field.
func (f *Form[A]) Update(a *A, msg tea.Msg, k *KeyMap) (Event, tea.Cmd) {
	fl, ok := f.Focused()
	if press, isKey := msg.(tea.KeyPressMsg); isKey {
		switch {
		case key.Matches(press, k.Enter) && (!ok || f.focus == len(f.fields)-1):
			ev := f.Leave(a)
			f.Finish()
			ev.Done = true
			return ev, nil
		case key.Matches(press, k.Enter), key.Matches(press, k.Next):
			return f.Move(a, 1)
		case key.Matches(press, k.Prev):
			return f.Move(a, -1)
		}
	}
	if !ok {
		return Event{}, nil
	}
	return f.edit(a, fl, msg, k)
}

// edit gives the message to the focused field and stores what it typed
// or chose.
func (f *Form[A]) edit(a *A, fl Field[A], msg tea.Msg, k *KeyMap) (Event, tea.Cmd) {
	shown := f.Shown(a, fl)
	if f.proposed[fl.Key()] && replacesProposal(msg) && f.input.Focused() {
		f.input.SetValue("") // typing over a proposal starts afresh
		shown = ""
	}
	text, changed, cmd := fl.Edit(f.input, shown, msg, k)
	if !changed {
		return Event{}, cmd
	}
	delete(f.proposed, fl.Key())
	if err := fl.Set(a, text); err != nil {
		f.pending[fl.Key()] = Pending{Text: text, Err: err}
	} else {
		delete(f.pending, fl.Key())
	}
	f.touched[fl.Key()] = true
	// Typing can add or remove fields (an https URL adds the certificate),
	// except in a grid, whose rows change only by its owner's keys.
	if !f.grid {
		f.Relayout(a, fl.Key())
	}
	f.input.Placeholder, _ = fl.Derived(a)
	return Event{Edited: fl.Key(), EditedValue: f.Shown(a, fl), Typed: f.input.Focused()}, cmd
}

// replacesProposal reports whether msg types or pastes text, which
// replaces a proposal; moving the cursor or deleting edits it instead.
func replacesProposal(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		return true
	case tea.KeyPressMsg:
		return msg.Text != "" && msg.Mod&^tea.ModShift == 0
	}
	return false
}

// Move changes focus by delta fields, staying on the form.
func (f *Form[A]) Move(a *A, delta int) (Event, tea.Cmd) {
	if len(f.fields) == 0 {
		return Event{}, nil
	}
	ev := f.Leave(a)
	f.focus = max(0, min(f.focus+delta, len(f.fields)-1))
	return ev, f.load(a)
}

// Leave marks the focused field touched and names it in the event.
func (f *Form[A]) Leave(a *A) Event {
	fl, ok := f.Focused()
	if !ok {
		return Event{}
	}
	f.touched[fl.Key()] = true
	delete(f.quiet, fl.Key())
	return Event{Left: fl.Key(), LeftValue: f.Shown(a, fl)}
}

// Finish shows every finding of the form: the admin tried to move on.
func (f *Form[A]) Finish() {
	f.seen = true
	for _, fl := range f.fields {
		f.touched[fl.Key()] = true
	}
	clear(f.quiet)
}

// KeyBinds are the form's keys for the help line: Next, Prev, Enter (or
// Finish on the last field) and the focused field's own.
func (f *Form[A]) KeyBinds(k *KeyMap) []key.Binding {
	enter := k.Enter
	if f.OnLast() {
		enter = k.Finish
	}
	b := []key.Binding{k.Next, k.Prev, enter}
	if fl, ok := f.Focused(); ok {
		b = append(b, fl.KeyBinds(k)...)
	}
	return b
}

// Checks are what a form shows beside its fields, from its owner.
type Checks struct {
	// Findings are the checks' findings, the live checks' included; Owns
	// says which belong on this form (those no field shows are listed
	// under the fields). Each shows once, under the field it is about.
	Findings validate.Findings
	Owns     func(key string) bool
	// Live is a field's live check, nil for none.
	Live func(key string) *Live
	// Quiet shows no messages under the fields: the owner shows them.
	Quiet bool
	// Spinner draws the frame shown beside a field whose live check runs.
	Spinner func() string
}

// Messages are what shows under a field: a typing error, else the checks'
// findings and the live check's, once the admin has been there.
func (f *Form[A]) Messages(fl Field[A], c *Checks) validate.Findings {
	if c.Quiet {
		return nil
	}
	if p, ok := f.pending[fl.Key()]; ok {
		return validate.Findings{{Severity: validate.Error, Field: fl.Key(), Message: p.Err.Error()}}
	}
	if f.quiet[fl.Key()] || !f.showAll && !f.touched[fl.Key()] {
		return nil
	}
	return c.Findings.For(fl.Key())
}

func (c *Checks) live(key string) *Live {
	if c.Live == nil {
		return nil
	}
	return c.Live(key)
}

// loose are the form's findings that no field on it shows, such as
// "there are no nodes".
func (f *Form[A]) loose(c *Checks) validate.Findings {
	if !f.seen {
		return nil
	}
	shown := make(map[string]bool, len(f.fields))
	for _, fl := range f.fields {
		shown[fl.Key()] = true
	}
	var out validate.Findings
	for _, fd := range c.Findings {
		if !shown[fd.Field] && c.Owns(fd.Field) {
			out = append(out, fd)
		}
	}
	return out
}
