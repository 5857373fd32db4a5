package tui

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// BenchmarkNodesKeystroke is one keystroke on the Nodes screen with 16
// nodes: Update (text input, validate.Check, re-layout) and a full frame.
// Target: well under 170µs.
// The -live cases hold one live DNS warning per node, as a new cluster
// whose names this machine cannot resolve does.
func BenchmarkNodesKeystroke(b *testing.B) {
	for _, size := range [][3]int{{80, 24, 0}, {120, 40, 0}, {80, 24, 1}, {minWidth, minHeight, 1}} {
		name := itoa(size[0]) + "x" + itoa(size[1])
		if size[2] == 1 {
			name += "-live"
		}
		b.Run(name, func(b *testing.B) {
			m := newModel(Options{AnswersPath: DefaultAnswersPath, NoColor: false})
			m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			m.newCluster()
			m.answers = wantCluster()
			for i := 3; i < 16; i++ {
				m.answers.Nodes = append(m.answers.Nodes, m.answers.Nodes[0])
				m.answers.Nodes[i].Name, m.answers.Nodes[i].Host = "OCTO"+itoa(i+1), "octo"+itoa(i+1)+".corp.local"
			}
			m.recheck()
			if size[2] == 1 {
				for i, n := range m.answers.Nodes {
					host := steps.NodeField(i).Host
					m.liveFound["dns.host\x00"+host] = &liveEntry{values: map[string]string{host: n.Host},
						findings: validate.Findings{{ID: "dns.host", Severity: validate.Warning, Field: host, Message: n.Host + " does not resolve from this machine."}}}
				}
				m.recheck()
			}
			m.goTo(3)
			m.formOf(3).Focus(&m.answers, 8*4) // node 9's name, mid-screen
			keys := []tea.KeyPressMsg{{Code: 'x', Text: "x"}, {Code: tea.KeyBackspace}}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m.Update(keys[i%2])
				_ = m.View()
			}
		})
	}
}
