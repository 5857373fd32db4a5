//go:build tools

// Package tools pins modules the project uses before code imports them, so
// `go mod tidy` keeps the exact versions the module proxy here serves.
package tools

import (
	_ "charm.land/bubbles/v2/textinput"
	_ "charm.land/bubbletea/v2"
	_ "charm.land/lipgloss/v2"
	_ "github.com/airbus-cert/tree-sitter-powershell/bindings/go"
	_ "github.com/microsoft/go-mssqldb"
	_ "github.com/tree-sitter/go-tree-sitter"
)
