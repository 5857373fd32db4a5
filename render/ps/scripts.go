package ps

import (
	"errors"

	"github.com/octoha/octoha/steps"
)

var errNotYet = errors.New("the PowerShell renderer is not written yet")

// FirstNode renders install-first-node.ps1 for a.Nodes[0].
func FirstNode(a steps.Answers) ([]byte, error) { return nil, errNotYet }

// JoinNode renders the join script for a.Nodes[i], i >= 1.
func JoinNode(a steps.Answers, i int) ([]byte, error) { return nil, errNotYet }

// RegisterTentacle renders register-tentacle.ps1.
func RegisterTentacle(a steps.Answers) ([]byte, error) { return nil, errNotYet }

// ConfigureARR renders iis-arr/configure-arr.ps1.
func ConfigureARR(a steps.Answers) ([]byte, error) { return nil, errNotYet }
