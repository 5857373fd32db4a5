package ps51

import (
	"strings"
)

// The table's names for what the check infers without a row of its own.
const (
	typeString    = "System.String"
	typeArray     = "System.Array"
	typeIntrinsic = "PowerShell.Intrinsic"
)

// resolveType is the allowed type a name stands for ([string],
// [System.IO.Path], Parameter, System.Byte[]), or nil. An array type
// stands for System.Array, whose members its values have; its element
// type must be allowed too.
func (c *checker) resolveType(name string) *DotNetType {
	name = strings.TrimSpace(name)
	if strings.HasSuffix(name, "[]") {
		if c.resolveType(strings.TrimSuffix(name, "[]")) == nil {
			return nil
		}
		return c.t.Types[strings.ToLower(typeArray)]
	}
	if i := strings.IndexByte(name, '['); i > 0 && strings.HasSuffix(name, "]") {
		// A generic type, List[string]: the type and each argument.
		for _, arg := range splitTypeArgs(name[i+1 : len(name)-1]) {
			if c.resolveType(arg) == nil {
				return nil
			}
		}
		return c.resolveType(name[:i])
	}
	ty := c.t.Types[strings.ToLower(name)]
	if ty != nil && ty.Alias != "" {
		ty = c.t.Types[strings.ToLower(ty.Alias)]
	}
	return ty
}

// splitTypeArgs splits "string,System.Collections.Generic.List[int]" at
// its top-level commas.
func splitTypeArgs(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '[':
			depth++
		case ']':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// dotnet checks every type a script names and every member it uses
// against dotnet-4.5.txt.
func (c *checker) dotnet() {
	c.varTypes = map[*Node]*DotNetType{}
	for _, n := range c.f.Nodes {
		switch n.Type {
		case "TypeExpressionAst", "TypeConstraintAst", "AttributeAst":
			if c.resolveType(n.TypeName) == nil {
				c.report(n, RuleDotNet, "the type [%s] is not on the allow-list (dotnet-4.5.txt): check it exists in .NET Framework 4.5 or Windows PowerShell 5.1 on Microsoft Learn and add its row", n.TypeName)
			}
		case "CommandAst":
			if strings.EqualFold(n.Name, "New-Object") {
				if name := newObjectType(n); name != nil && c.resolveType(name.Value) == nil {
					c.report(name, RuleDotNet, "New-Object makes a %s, which is not on the allow-list (dotnet-4.5.txt): check it exists in .NET Framework 4.5 on Microsoft Learn and add its row", name.Value)
				}
			}
		case "MemberExpressionAst", "InvokeMemberExpressionAst":
			c.member(n)
		case "NamedAttributeArgumentAst":
			// [Parameter(Mandatory)] sets the attribute's property.
			if ty := c.resolveType(n.Up().TypeName); ty != nil && ty.Members[strings.ToLower(n.Name)] == nil {
				c.report(n, RuleDotNet, "[%s(%s)]: %s has no property %s on the allow-list (dotnet-4.5.txt): check it exists in Windows PowerShell 5.1's SDK on Microsoft Learn and add its row", n.Up().TypeName, n.Name, ty.Name, n.Name)
			}
		}
	}
}

// newObjectType is New-Object's -TypeName when it is a constant.
func newObjectType(cmd *Node) *Node {
	els := elements(cmd)
	for i := 1; i < len(els); i++ {
		e := els[i]
		if e.Type == "CommandParameterAst" {
			if strings.EqualFold(e.Name, "TypeName") && i+1 < len(els) && els[i+1].Type == "StringConstantExpressionAst" {
				return els[i+1]
			}
			i++ // its argument
			continue
		}
		if e.Type == "StringConstantExpressionAst" {
			return e // the first positional argument is -TypeName
		}
		return nil
	}
	return nil
}

func (c *checker) member(n *Node) {
	m := n.Kid("Member")
	if m == nil || m.Type != "StringConstantExpressionAst" {
		c.report(n, RuleDotNet, "a member named by an expression cannot be checked: name it")
		return
	}
	name := m.Value
	expr := n.Kid("Expression")
	if n.Static {
		if expr.Type != "TypeExpressionAst" {
			c.report(m, RuleDotNet, "::%s on something other than a type cannot be checked", name)
			return
		}
		ty := c.resolveType(expr.TypeName)
		if ty == nil {
			return // the type is reported
		}
		if ty.Members[strings.ToLower(name)] == nil {
			c.report(m, RuleDotNet, "[%s]::%s is not on the allow-list (dotnet-4.5.txt): check %s.%s exists in .NET Framework 4.5 on Microsoft Learn and add its row", expr.TypeName, name, ty.Name, name)
		}
		return
	}
	if intrinsic := c.t.Types[strings.ToLower(typeIntrinsic)]; intrinsic != nil && intrinsic.Members[strings.ToLower(name)] != nil {
		return
	}
	if ty := c.typeOf(expr); ty != nil {
		if ty.Members[strings.ToLower(name)] == nil {
			c.report(m, RuleDotNet, "%s has no member %s on the allow-list (dotnet-4.5.txt): check it exists in .NET Framework 4.5 on Microsoft Learn and add its row", ty.Name, name)
		}
		return
	}
	// A receiver whose type the check cannot tell: the member must be on
	// the list for some type, or be a key of one of the script's own
	// hashtables.
	if len(c.t.Members[strings.ToLower(name)]) == 0 && !c.keys[strings.ToLower(name)] {
		c.report(m, RuleDotNet, ".%s is no member of any type on the allow-list (dotnet-4.5.txt), nor a key of this script's hashtables: find the type it is read on, check the member exists in .NET Framework 4.5 on Microsoft Learn (or where the JSON comes from) and add its row", name)
	}
}

// typeOf is the allowed type an expression has, when the check can tell:
// a string, a cast, a parameter or variable declared or assigned with one
// type, or a member of a known type whose row names what it returns.
func (c *checker) typeOf(n *Node) *DotNetType {
	switch n.Type {
	case "StringConstantExpressionAst", "ExpandableStringExpressionAst":
		return c.t.Types[strings.ToLower(typeString)]
	case "ConvertExpressionAst":
		if t := n.Kid("Type"); t != nil {
			return c.resolveType(t.TypeName)
		}
	case "ParenExpressionAst":
		if p := n.Kid("Pipeline"); p != nil {
			return c.pipelineType(p)
		}
	case "MemberExpressionAst", "InvokeMemberExpressionAst":
		m := n.Kid("Member")
		if m == nil || m.Type != "StringConstantExpressionAst" {
			return nil
		}
		var recv *DotNetType
		if expr := n.Kid("Expression"); n.Static && expr.Type == "TypeExpressionAst" {
			recv = c.resolveType(expr.TypeName)
		} else if !n.Static {
			recv = c.typeOf(expr)
		}
		if recv == nil {
			return nil
		}
		if row := recv.Members[strings.ToLower(m.Value)]; row != nil && row.Returns != "" {
			return c.resolveType(row.Returns)
		}
	case "VariableExpressionAst":
		return c.variableType(n)
	}
	return nil
}

// pipelineType is the type of a pipeline that is one expression, or of
// New-Object -TypeName with a constant.
func (c *checker) pipelineType(p *Node) *DotNetType {
	if p.Type != "PipelineAst" {
		return nil
	}
	els := elementsOf(p)
	if len(els) != 1 {
		return nil
	}
	switch els[0].Type {
	case "CommandExpressionAst":
		return c.typeOf(els[0].Kid("Expression"))
	case "CommandAst":
		if strings.EqualFold(els[0].Name, "New-Object") {
			if name := newObjectType(els[0]); name != nil {
				return c.resolveType(name.Value)
			}
		}
	}
	return nil
}

// automaticTypes are the types of the automatic variables the check can
// tell (about_Automatic_Variables for 5.1).
var automaticTypes = map[string]string{
	"pscmdlet":       "System.Management.Automation.PSCmdlet",
	"psversiontable": "PowerShell.PSVersionTable",
}

// variableType is a variable's type when its scope declares it with a
// type constraint, or assigns it values of one type only; $_ in a catch
// block is the ErrorRecord.
func (c *checker) variableType(v *Node) *DotNetType {
	name := strings.ToLower(v.Name)
	if v.Drive != "" {
		return nil
	}
	if t, ok := automaticTypes[name]; ok {
		return c.resolveType(t)
	}
	if name == "_" || name == "psitem" {
		for p := v.Up(); p != nil; p = p.Up() {
			if p.Type == "ScriptBlockAst" || p.Type == "ScriptBlockExpressionAst" {
				return nil
			}
			if p.Type == "CatchClauseAst" {
				return c.resolveType("System.Management.Automation.ErrorRecord")
			}
		}
		return nil
	}
	if t, ok := c.varTypes[v]; ok {
		return t
	}
	c.varTypes[v] = nil // a guard against $a = $a.b loops
	var t *DotNetType
	for unit := unitOf(v); unit != nil; unit = outerUnit(unit) {
		var found bool
		t, found = c.declaredType(unit, name)
		if found {
			break
		}
	}
	c.varTypes[v] = t
	return t
}

// declaredType looks in one scope for a variable's parameter or its
// assignments: found says the scope has any.
func (c *checker) declaredType(unit *Node, name string) (*DotNetType, bool) {
	for _, p := range unitParams(unit) {
		if pn := p.Kid("Name"); pn != nil && strings.EqualFold(pn.Name, name) {
			for _, a := range p.KidsIn("Attributes") {
				if a.Type == "TypeConstraintAst" {
					return c.resolveType(a.TypeName), true
				}
			}
			return nil, true
		}
	}
	var seen *DotNetType
	found := false
	for _, n := range c.f.Nodes {
		if n.Type != "AssignmentStatementAst" || unitOf(n) != unit {
			continue
		}
		left := n.Kid("Left")
		var t *DotNetType
		switch {
		case left.Type == "VariableExpressionAst" && strings.EqualFold(left.Name, name) && left.Drive == "":
			right := n.Kid("Right")
			if right.Type == "PipelineAst" && isNull(right) {
				continue // $x = $null first: the later values decide
			}
			if right.Type == "PipelineAst" {
				t = c.pipelineType(right)
			}
		case left.Type == "ConvertExpressionAst" && left.Kid("Child") != nil && strings.EqualFold(left.Kid("Child").Name, name):
			t = c.resolveType(left.Kid("Type").TypeName)
		default:
			continue
		}
		if t == nil || (found && t != seen) {
			return nil, true
		}
		seen, found = t, true
	}
	return seen, found
}

func isNull(p *Node) bool {
	els := elementsOf(p)
	if len(els) != 1 || els[0].Type != "CommandExpressionAst" {
		return false
	}
	e := els[0].Kid("Expression")
	return e != nil && e.Type == "VariableExpressionAst" && strings.EqualFold(e.Name, "null")
}

// unitOf is the scope n runs in: its function, or the script.
func unitOf(n *Node) *Node {
	for p := n.Up(); p != nil; p = p.Up() {
		if p.Type == "FunctionDefinitionAst" {
			return p
		}
		if p.Up() == nil {
			return p
		}
	}
	return n
}

// outerUnit is the scope a function's reads fall back to: the script's,
// where the functions of an emitted script are called from.
func outerUnit(unit *Node) *Node {
	if unit.Type != "FunctionDefinitionAst" {
		return nil
	}
	return unitOf(unit)
}

// unitParams are a scope's parameters.
func unitParams(unit *Node) []*Node {
	body := unit
	if unit.Type == "FunctionDefinitionAst" {
		if ps := unit.KidsIn("Parameters"); len(ps) > 0 {
			return ps
		}
		body = unit.Kid("Body")
	}
	if pb := body.Kid("ParamBlock"); pb != nil {
		return pb.KidsIn("Parameters")
	}
	return nil
}
