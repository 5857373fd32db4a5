package tui

import (
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// vtScreen is a small terminal emulator for tests that run the real Bubble
// Tea program: it is the program's output, applies what the renderer
// writes (text, cursor moves, erases, scrolling) to a grid of cells, and
// lets a test read the screen as text. Colours and modes are ignored.
// Tests give the program TERM=vt100, for which the renderer uses only the
// basic sequences handled here, and line feeds are read as a tty with
// ONLCR delivers them.
type vtScreen struct {
	mu       sync.Mutex
	w, h     int
	cells    [][]string
	row, col int
	top, bot int // the scroll region, rows inclusive
	saved    [2]int
	state    byte
	parser   *ansi.Parser
	partial  []byte // an unfinished UTF-8 character from the last write
	unknown  map[string]bool
}

func newVTScreen(w, h int) *vtScreen {
	s := &vtScreen{w: w, h: h, bot: h - 1, parser: ansi.NewParser(), unknown: map[string]bool{}}
	s.parser.SetParamsSize(32)
	s.parser.SetDataSize(4096)
	s.cells = make([][]string, h)
	for i := range s.cells {
		s.cells[i] = s.blankLine()
	}
	return s
}

func (s *vtScreen) blankLine() []string {
	l := make([]string, s.w)
	for i := range l {
		l[i] = " "
	}
	return l
}

// Text is the screen as lines, trailing spaces cut.
func (s *vtScreen) Text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	lines := make([]string, s.h)
	for i, l := range s.cells {
		lines[i] = strings.TrimRight(strings.Join(l, ""), " ")
	}
	return strings.Join(lines, "\n")
}

// waitFor polls the screen every millisecond until ok says so or d has
// passed; it returns the last screen and whether ok said yes.
func (s *vtScreen) waitFor(d time.Duration, ok func(screen string) bool) (string, bool) {
	deadline := time.Now().Add(d)
	for {
		screen := s.Text()
		if ok(screen) {
			return screen, true
		}
		if time.Now().After(deadline) {
			return screen, false
		}
		time.Sleep(time.Millisecond)
	}
}

func (s *vtScreen) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(b)
	if len(s.partial) > 0 {
		b = append(s.partial, b...)
		s.partial = nil
	}
	for len(b) > 0 {
		if s.state == ansi.NormalState && b[0] >= 0x80 && !utf8.FullRune(b) {
			s.partial = append([]byte(nil), b...)
			break
		}
		seq, width, used, state := ansi.DecodeSequence(b, s.state, s.parser)
		s.state = state
		b = b[used:]
		switch {
		case width > 0:
			s.print(string(seq), width)
		case len(seq) == 1 && seq[0] < 0x20:
			s.control(seq[0])
		case ansi.HasCsiPrefix(seq):
			s.csi(seq)
		case len(seq) == 2 && seq[0] == 0x1b:
			s.esc(seq[1])
		}
	}
	return n, nil
}

func (s *vtScreen) print(g string, width int) {
	if s.col >= s.w { // pending wrap
		s.col = 0
		s.lineFeed()
	}
	s.cells[s.row][s.col] = g
	for i := 1; i < width && s.col+i < s.w; i++ {
		s.cells[s.row][s.col+i] = ""
	}
	s.col += width
}

func (s *vtScreen) control(c byte) {
	switch c {
	case '\r':
		s.col = 0
	case '\n', '\v', '\f':
		// A tty's ONLCR turns LF into CR LF on the way out; Bubble Tea
		// counts on it when its input is not a terminal (so no raw mode).
		s.col = 0
		s.lineFeed()
	case '\b':
		s.col = max(s.col-1, 0)
	case '\t':
		s.col = min((s.col/8+1)*8, s.w-1)
	}
}

func (s *vtScreen) lineFeed() {
	if s.row == s.bot {
		s.scrollUp(1)
		return
	}
	s.row = min(s.row+1, s.h-1)
}

func (s *vtScreen) esc(c byte) {
	switch c {
	case '7':
		s.saved = [2]int{s.row, s.col}
	case '8':
		s.row, s.col = s.saved[0], s.saved[1]
	case 'D':
		s.lineFeed()
	case 'E':
		s.col = 0
		s.lineFeed()
	case 'M': // reverse index
		if s.row == s.top {
			s.scrollDown(1)
		} else {
			s.row = max(s.row-1, 0)
		}
	}
}

// scrollUp moves the scroll region's lines up n, blank lines in at the
// bottom; scrollDown the other way.
func (s *vtScreen) scrollUp(n int) {
	for ; n > 0; n-- {
		copy(s.cells[s.top:s.bot], s.cells[s.top+1:s.bot+1])
		s.cells[s.bot] = s.blankLine()
	}
}

func (s *vtScreen) scrollDown(n int) {
	for ; n > 0; n-- {
		copy(s.cells[s.top+1:s.bot+1], s.cells[s.top:s.bot])
		s.cells[s.top] = s.blankLine()
	}
}

func (s *vtScreen) erase(row, from, to int) {
	for c := max(from, 0); c < min(to, s.w); c++ {
		s.cells[row][c] = " "
	}
}

func (s *vtScreen) csi(seq []byte) {
	cmd := ansi.Cmd(s.parser.Command())
	n := func(i, def int) int {
		v, _ := s.parser.Param(i, def)
		return max(v, def) // 0 means the default for the counts used here
	}
	if cmd.Prefix() != 0 || cmd.Intermediate() != 0 {
		return // private modes, queries, keyboard modes: no effect on text
	}
	s.col = min(s.col, s.w-1) // any cursor command ends a pending wrap
	switch cmd.Final() {
	case 'A':
		s.row = max(s.row-n(0, 1), 0)
	case 'B':
		s.row = min(s.row+n(0, 1), s.h-1)
	case 'C':
		s.col = min(s.col+n(0, 1), s.w-1)
	case 'D':
		s.col = max(s.col-n(0, 1), 0)
	case 'E':
		s.row, s.col = min(s.row+n(0, 1), s.h-1), 0
	case 'F':
		s.row, s.col = max(s.row-n(0, 1), 0), 0
	case 'G', '`':
		s.col = min(n(0, 1)-1, s.w-1)
	case 'd':
		s.row = min(n(0, 1)-1, s.h-1)
	case 'H', 'f':
		s.row, s.col = min(n(0, 1)-1, s.h-1), min(n(1, 1)-1, s.w-1)
	case 'K':
		switch v, _ := s.parser.Param(0, 0); v {
		case 0:
			s.erase(s.row, s.col, s.w)
		case 1:
			s.erase(s.row, 0, s.col+1)
		case 2:
			s.erase(s.row, 0, s.w)
		}
	case 'J':
		v, _ := s.parser.Param(0, 0)
		switch v {
		case 0:
			s.erase(s.row, s.col, s.w)
			for r := s.row + 1; r < s.h; r++ {
				s.cells[r] = s.blankLine()
			}
		case 1:
			s.erase(s.row, 0, s.col+1)
			for r := 0; r < s.row; r++ {
				s.cells[r] = s.blankLine()
			}
		case 2, 3:
			for r := range s.cells {
				s.cells[r] = s.blankLine()
			}
		}
	case 'X':
		s.erase(s.row, s.col, s.col+n(0, 1))
	case '@':
		k := min(n(0, 1), s.w-s.col)
		line := s.cells[s.row]
		copy(line[s.col+k:], line[s.col:s.w-k])
		s.erase(s.row, s.col, s.col+k)
	case 'P':
		k := min(n(0, 1), s.w-s.col)
		line := s.cells[s.row]
		copy(line[s.col:], line[s.col+k:])
		s.erase(s.row, s.w-k, s.w)
	case 'L', 'M':
		if s.row < s.top || s.row > s.bot {
			return
		}
		top := s.top
		s.top = s.row
		if cmd.Final() == 'L' {
			s.scrollDown(min(n(0, 1), s.bot-s.row+1))
		} else {
			s.scrollUp(min(n(0, 1), s.bot-s.row+1))
		}
		s.top = top
		s.col = 0
	case 'S':
		s.scrollUp(n(0, 1))
	case 'T':
		s.scrollDown(n(0, 1))
	case 'r':
		s.top, s.bot = n(0, 1)-1, min(n(1, s.h), s.h)-1
		if s.top >= s.bot {
			s.top, s.bot = 0, s.h-1
		}
		s.row, s.col = 0, 0
	case 'm', 'h', 'l', 'n', 'c', 't', 'q':
		// colours, modes, reports: no effect on text
	default:
		s.unknown[string(seq)] = true
	}
}

// TestVTScreen checks the emulator on the sequences it claims to handle,
// so a test that reads the screen through it reads what a terminal shows.
func TestVTScreen(t *testing.T) {
	s := newVTScreen(10, 4)
	s.Write([]byte("hello\r\nworld"))
	s.Write([]byte("\x1b[1;3Hy\x1b[2;1H\x1b[K\x1b[31mok\x1b[m"))
	s.Write([]byte("\x1b[4;9Hab\xe2")) // a character split across writes
	s.Write([]byte("\x9c\x93"))
	s.Write([]byte("\x1b[3;2Hxyz\x1b[3;3H\x1b[P"))
	// "✓" finds the cursor past the last column: it wraps, and the line
	// feed at the bottom scrolls everything up a line; then deleting "y"
	// pulls the rest of that line, "ab" included, one cell left.
	want := "ok\n\n xz    ab\n✓"
	if got := s.Text(); got != want {
		t.Fatalf("screen:\n%q\nwant:\n%q", got, want)
	}
	if len(s.unknown) > 0 {
		t.Errorf("unhandled sequences: %v", s.unknown)
	}
}
