# Parses each script with PowerShell's own parser and prints its syntax
# tree as JSON, one object per file, for the Go checks in this package.
# Every node has its type name, its parent, the property of the parent it
# hangs from (Role, as PowerShell's AST classes name it), its place in the
# file, and the few facts the checks read (a variable's name, a command's
# name, a member's flags). The children are found by reflection over the
# AST classes' public properties, so no construct is left out. The walk is
# C# (compiled once by Add-Type): a script walking some 60,000 nodes takes
# ten times as long.
#
# Usage: pwsh -NoProfile -File facts.ps1 <list.json>, where list.json is a
# JSON array of script paths; prints a JSON array of file objects.
param(
    [Parameter(Mandatory)]
    [string] $ListFile
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

Add-Type -TypeDefinition @'
using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation.Language;
using System.Reflection;
using System.Text;
using System.Text.Json;

public static class OctohaPs51Facts
{
    private sealed class ChildProperty
    {
        public PropertyInfo Property;
        public string Kind; // one, many, tuples
    }

    private static readonly Dictionary<Type, List<ChildProperty>> properties = new Dictionary<Type, List<ChildProperty>>();

    // The properties of an AST class that hold child nodes: an Ast, a
    // collection of Ast, or a collection of tuples of Ast (if clauses,
    // hashtable pairs, switch clauses).
    private static List<ChildProperty> ChildProperties(Type type)
    {
        List<ChildProperty> found;
        if (properties.TryGetValue(type, out found))
        {
            return found;
        }
        found = new List<ChildProperty>();
        foreach (PropertyInfo p in type.GetProperties())
        {
            if (p.Name == "Parent" || p.GetIndexParameters().Length > 0)
            {
                continue;
            }
            Type t = p.PropertyType;
            string kind = null;
            if (typeof(Ast).IsAssignableFrom(t))
            {
                kind = "one";
            }
            else if (t.IsGenericType && t.GetGenericArguments().Length == 1)
            {
                Type item = t.GetGenericArguments()[0];
                if (typeof(Ast).IsAssignableFrom(item))
                {
                    kind = "many";
                }
                else if (item.IsGenericType && item.Name.StartsWith("Tuple", StringComparison.Ordinal))
                {
                    kind = "tuples";
                }
            }
            if (kind != null)
            {
                found.Add(new ChildProperty { Property = p, Kind = kind });
            }
        }
        properties[type] = found;
        return found;
    }

    private static void Facts(Utf8JsonWriter w, Ast ast)
    {
        switch (ast)
        {
            case VariableExpressionAst v:
            {
                // $script:x is Scope script, $env:x is Drive env,
                // $variable:x is just x; Name is what follows the qualifier.
                string path = v.VariablePath.UserPath;
                string name = path, drive = "", scope = "";
                int colon = path.IndexOf(':');
                if (colon > 0)
                {
                    string qualifier = path.Substring(0, colon).ToLowerInvariant();
                    name = path.Substring(colon + 1);
                    if (qualifier == "script" || qualifier == "global" || qualifier == "local" || qualifier == "private" || qualifier == "using")
                    {
                        scope = qualifier;
                    }
                    else if (qualifier != "variable")
                    {
                        drive = qualifier;
                    }
                }
                w.WriteString("Name", name);
                w.WriteString("Drive", drive);
                w.WriteString("Scope", scope);
                w.WriteBoolean("Splatted", v.Splatted);
                break;
            }
            case CommandAst c:
                w.WriteString("Name", c.GetCommandName());
                w.WriteString("Invocation", c.InvocationOperator.ToString());
                break;
            case CommandParameterAst p:
                w.WriteString("Name", p.ParameterName);
                w.WriteBoolean("HasArgument", p.Argument != null);
                break;
            case StringConstantExpressionAst s:
                w.WriteString("Value", s.Value);
                w.WriteString("Quote", s.StringConstantType.ToString());
                break;
            case ExpandableStringExpressionAst e:
                w.WriteString("Value", e.Value);
                w.WriteString("Quote", e.StringConstantType.ToString());
                break;
            case ConstantExpressionAst k:
                w.WriteString("ValueType", k.StaticType.FullName);
                break;
            case TypeExpressionAst t:
                w.WriteString("TypeName", t.TypeName.FullName);
                break;
            case TypeConstraintAst t:
                w.WriteString("TypeName", t.TypeName.FullName);
                break;
            case AttributeAst a:
                w.WriteString("TypeName", a.TypeName.FullName);
                break;
            case NamedAttributeArgumentAst n:
                w.WriteString("Name", n.ArgumentName);
                break;
            case MemberExpressionAst m:
                w.WriteBoolean("Static", m.Static);
                w.WriteBoolean("NullConditional", m.NullConditional);
                break;
            case IndexExpressionAst i:
                w.WriteBoolean("NullConditional", i.NullConditional);
                break;
            case BinaryExpressionAst b:
                w.WriteString("Operator", b.Operator.ToString());
                break;
            case UnaryExpressionAst u:
                w.WriteString("Operator", u.TokenKind.ToString());
                break;
            case AssignmentStatementAst s:
                w.WriteString("Operator", s.Operator.ToString());
                break;
            case FunctionDefinitionAst f:
                w.WriteString("Name", f.Name);
                w.WriteBoolean("IsFilter", f.IsFilter);
                w.WriteBoolean("IsWorkflow", f.IsWorkflow);
                break;
            case PipelineAst p:
                w.WriteBoolean("Background", p.Background);
                break;
            case SwitchStatementAst s:
                w.WriteString("Flags", s.Flags.ToString());
                break;
            case ForEachStatementAst f:
                w.WriteString("Flags", f.Flags.ToString());
                break;
        }
    }

    private static void File(Utf8JsonWriter w, string path)
    {
        Token[] tokens;
        ParseError[] errors;
        ScriptBlockAst root = Parser.ParseFile(path, out tokens, out errors);
        w.WriteStartObject();
        w.WriteString("Path", path);
        w.WriteStartArray("Errors");
        foreach (ParseError e in errors)
        {
            w.WriteStringValue(string.Format("{0}:{1}: {2}", e.Extent.StartLineNumber, e.Extent.StartColumnNumber, e.Message));
        }
        w.WriteEndArray();
        w.WriteStartArray("Nodes");
        // Depth first, each node before its children, numbered in that
        // order; an explicit stack keeps deep trees cheap.
        var stack = new Stack<Tuple<Ast, int, string>>();
        stack.Push(Tuple.Create((Ast)root, -1, ""));
        int id = 0;
        // A node two properties return (ConvertExpressionAst's Type is
        // also its Attribute) is kept once, under the first.
        var emitted = new HashSet<Ast>(ReferenceEqualityComparer.Instance);
        while (stack.Count > 0)
        {
            var entry = stack.Pop();
            Ast ast = entry.Item1;
            if (!emitted.Add(ast))
            {
                continue;
            }
            int self = id++;
            w.WriteStartObject();
            w.WriteNumber("ID", self);
            w.WriteString("Type", ast.GetType().Name);
            w.WriteNumber("Parent", entry.Item2);
            w.WriteString("Role", entry.Item3);
            w.WriteNumber("Start", ast.Extent.StartOffset);
            w.WriteNumber("End", ast.Extent.EndOffset);
            w.WriteNumber("Line", ast.Extent.StartLineNumber);
            w.WriteNumber("Column", ast.Extent.StartColumnNumber);
            Facts(w, ast);
            w.WriteEndObject();
            var children = new List<Tuple<Ast, int, string>>();
            foreach (ChildProperty p in ChildProperties(ast.GetType()))
            {
                object value = p.Property.GetValue(ast);
                if (value == null)
                {
                    continue;
                }
                string role = p.Property.Name;
                if (p.Kind == "one")
                {
                    children.Add(Tuple.Create((Ast)value, self, role));
                    continue;
                }
                foreach (object item in (IEnumerable)value)
                {
                    if (item == null)
                    {
                        continue;
                    }
                    if (p.Kind == "many")
                    {
                        children.Add(Tuple.Create((Ast)item, self, role));
                        continue;
                    }
                    Type t = item.GetType();
                    object one = t.GetProperty("Item1").GetValue(item);
                    object two = t.GetProperty("Item2").GetValue(item);
                    if (one is Ast) { children.Add(Tuple.Create((Ast)one, self, role + ".Item1")); }
                    if (two is Ast) { children.Add(Tuple.Create((Ast)two, self, role + ".Item2")); }
                }
            }
            // Pushed in reverse so that they come out in the order the
            // AST lists them.
            for (int i = children.Count - 1; i >= 0; i--)
            {
                stack.Push(children[i]);
            }
        }
        w.WriteEndArray();
        w.WriteStartArray("Tokens");
        foreach (Token t in tokens)
        {
            if (t.Kind == TokenKind.Number || t.Kind == TokenKind.StringExpandable || t.Kind == TokenKind.HereStringExpandable)
            {
                w.WriteStartObject();
                w.WriteString("Kind", t.Kind.ToString());
                w.WriteString("Text", t.Text);
                w.WriteNumber("Line", t.Extent.StartLineNumber);
                w.WriteNumber("Column", t.Extent.StartColumnNumber);
                w.WriteEndObject();
            }
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void Write(string[] paths, string output)
    {
        using (var stream = System.IO.File.Create(output))
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartArray();
            foreach (string path in paths)
            {
                File(w, path);
            }
            w.WriteEndArray();
        }
    }
}
'@

$paths = @(Get-Content -LiteralPath $ListFile -Raw | ConvertFrom-Json)
[OctohaPs51Facts]::Write([string[]] $paths, $ListFile + '.out')
