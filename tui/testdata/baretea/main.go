// Command baretea is the smallest Bubble Tea v2 program that looks like
// octoha's first frame: one line in the alt screen, any key quits. The
// first-frame benchmark (tui/firstframe_test.go) measures it beside octoha
// to tell Bubble Tea's own start-up from octoha's.
package main

import (
	"fmt"
	"os"

	tea "charm.land/bubbletea/v2"
)

type model struct{}

func (model) Init() tea.Cmd { return nil }

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(tea.KeyPressMsg); ok {
		return m, tea.Quit
	}
	return m, nil
}

func (model) View() tea.View {
	v := tea.NewView("What would you like to do?")
	v.AltScreen = true
	return v
}

func main() {
	if _, err := tea.NewProgram(model{}).Run(); err != nil {
		fmt.Fprintln(os.Stderr, "baretea:", err)
		os.Exit(1)
	}
}
