package tui

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/octoha/octoha/tui/form"
)

// Tab completes local paths in the inputs that name a file or folder on
// this machine: the answers file to open (start screen, add-node setup)
// and the export folder. These are paths on the jump box octoha runs on,
// so path/filepath and os.ReadDir are right here; the answers' own paths
// are the nodes' Windows paths, which the rest of octoha never passes
// through filepath.

// maxEntries bounds the entries one Tab reads: a folder of a hundred
// thousand files is read no further, so the completion comes quickly.
const maxEntries = 5000

// pathNote is what a Tab found, shown under the input: the matches when
// there were several, or that there was none.
type pathNote struct {
	matches []string
	none    bool
	cut     bool // the folder had more than maxEntries entries
}

// completedMsg is a Tab's completion of the input target names, read
// off the update loop: a folder on a slow share (a UNC path on a Windows
// jump box) never freezes the screen.
type completedMsg struct {
	target string
	// value is the input's text at the Tab: a completion of other text
	// is stale.
	value       string
	done, after string // the text before the cursor, completed, and after it
	note        pathNote
}

// completeCmd completes the path before in's cursor, as a shell's Tab
// does, in a command. dirsOnly matches folders alone (the export folder).
func completeCmd(target string, in *textinput.Model, dirsOnly bool) tea.Cmd {
	value := in.Value()
	runes := []rune(value)
	pos := min(in.Position(), len(runes))
	before, after := string(runes[:pos]), string(runes[pos:])
	return func() tea.Msg {
		done, note := completePath(before, dirsOnly)
		return completedMsg{target: target, value: value, done: done, after: after, note: note}
	}
}

// applyTo puts the completion into in, the input target names, and says
// what it found; ok is false for another input's, or when in's text
// changed since the Tab.
func (msg completedMsg) applyTo(target string, in *textinput.Model) (note pathNote, ok bool) {
	if msg.target != target || in.Value() != msg.value {
		return pathNote{}, false
	}
	if msg.done+msg.after != msg.value {
		in.SetValue(msg.done + msg.after)
		in.SetCursor(utf8.RuneCountInString(msg.done))
	}
	return msg.note, true
}

// completePath completes typed: to the one entry of its folder that
// begins with what follows the last separator (a folder gets a separator
// after it), or as far as the entries that begin so agree, listing them.
// Hidden entries match only a name typed with its leading dot. A leading
// ~ is the home folder, written out.
func completePath(typed string, dirsOnly bool) (string, pathNote) {
	if typed == "~" || strings.HasPrefix(typed, "~"+string(filepath.Separator)) || strings.HasPrefix(typed, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			typed = home + typed[1:]
		}
	}
	cut := strings.LastIndexFunc(typed, func(r rune) bool { return r < utf8.RuneSelf && os.IsPathSeparator(uint8(r)) })
	dirPart, base := typed[:cut+1], typed[cut+1:]
	dir := dirPart
	if dir == "" {
		dir = "."
	}
	names, dirs, more := matching(dir, base, dirsOnly)
	note := pathNote{cut: more}
	switch len(names) {
	case 0:
		note.none = true
		return typed, note
	case 1:
		done := dirPart + names[0]
		if dirs[names[0]] {
			done += string(filepath.Separator)
		}
		return done, note
	}
	for _, n := range names {
		if dirs[n] {
			n += string(filepath.Separator)
		}
		note.matches = append(note.matches, n)
	}
	return dirPart + commonPrefix(names), note
}

// matching are the names in dir beginning with base, sorted, and which
// are folders; more is true when dir had entries left unread.
func matching(dir, base string, dirsOnly bool) (names []string, dirs map[string]bool, more bool) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, nil, false
	}
	defer f.Close()
	entries, _ := f.ReadDir(maxEntries)
	more = len(entries) == maxEntries
	dirs = map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, base) || strings.HasPrefix(name, ".") && !strings.HasPrefix(base, ".") {
			continue
		}
		isDir := e.IsDir()
		if e.Type()&fs.ModeSymlink != 0 {
			if st, err := os.Stat(filepath.Join(dir, name)); err == nil {
				isDir = st.IsDir()
			}
		}
		if dirsOnly && !isDir {
			continue
		}
		names = append(names, name)
		dirs[name] = isDir
	}
	slices.Sort(names)
	return names, dirs, more
}

// commonPrefix is the longest prefix every name shares, cut at a whole
// character.
func commonPrefix(names []string) string {
	p := names[0]
	for _, n := range names[1:] {
		i := 0
		for i < len(p) && i < len(n) && p[i] == n[i] {
			i++
		}
		p = p[:i]
	}
	for len(p) > 0 && !utf8.ValidString(p) {
		p = p[:len(p)-1]
	}
	return p
}

// lines are the note under an input, indented, in at most two lines of w
// cells: the matches as far as they fit and how many more, or that
// nothing matched.
func (n pathNote) lines(st *styles, indent string, w int) []string {
	w -= form.Width(indent)
	var lines []string
	room := 2
	if n.cut {
		room = 1 // the second line says the folder was not read to its end
	}
	switch {
	case n.none:
		lines = []string{"nothing here begins so; the path is as it was"}
	case len(n.matches) == 0:
		return nil
	default:
		lines = packNames(n.matches, w, room)
	}
	if n.cut {
		lines = append(lines, fmt.Sprintf("(the folder was read as far as its first %d entries)", maxEntries))
	}
	for i, l := range lines {
		if form.Width(l) > w {
			l = form.Pad(l, w)
		}
		lines[i] = indent + st.dim.Render(l)
	}
	return lines
}

// packNames sets names two spaces apart in at most maxLines lines of w
// cells, the last ending "+N more" for those left out.
func packNames(names []string, w, maxLines int) []string {
	if maxLines == 0 || len(names) == 0 {
		return nil
	}
	cur := ""
	for i, name := range names {
		more := "" // what the last line must still hold after this name
		if maxLines == 1 && i < len(names)-1 {
			more = fmt.Sprintf("  +%d more", len(names)-i-1)
		}
		name = form.Pad(name, min(form.Width(name), w-form.Width(more)))
		next := name
		if cur != "" {
			next = cur + "  " + name
		}
		if form.Width(next)+form.Width(more) <= w {
			cur = next
			continue
		}
		if maxLines == 1 {
			return []string{cur + fmt.Sprintf("  +%d more", len(names)-i)}
		}
		return append([]string{cur}, packNames(names[i:], w, maxLines-1)...)
	}
	return []string{cur}
}
