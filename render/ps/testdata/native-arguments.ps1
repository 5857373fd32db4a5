# The host render/ps/nativeargs_test.go runs in a real PowerShell: it takes
# ConvertTo-NativeArgument and Invoke-NativeCommand out of a rendered script
# with PowerShell's own parser, and for each request line (JSON: values, the
# PowerShell versions to pass as, the settings to run a real .exe with)
# answers one JSON line. Strings travel as base64 of their UTF-8 bytes, so
# that no JSON or console encoding (nor ConvertFrom-Json's date parsing)
# changes a value on the way.
#
# For each version the test names, the host sets what the functions can see
# of it ($PSVersionTable.PSEdition, whether $PSNativeCommandArgumentPassing
# exists and its value) and runs Invoke-NativeCommand with Invoke-Recorder in
# place of the .exe: the recorder keeps what PowerShell would hand its native
# argument binder (the arguments, the passing style in force at the call, the
# environment variables a --% argument names), which the test's models of
# each version then turn into a command line. The real runs give the values
# to a real executable (the dumper, which writes its argv) through .NET's own
# Process.Start on this machine.
param(
    [Parameter(Mandatory)]
    [string] $Script,
    [Parameter(Mandatory)]
    [string] $Dumper,
    [Parameter(Mandatory)]
    [string] $ArgvFile,
    [Parameter(Mandatory)]
    [string] $EmptyDir
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
[Console]::InputEncoding = [System.Text.UTF8Encoding]::new($false)
[Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false)

$tokens = $null
$errors = $null
$ast = [System.Management.Automation.Language.Parser]::ParseFile($Script, [ref] $tokens, [ref] $errors)
if ($errors.Count -gt 0) {
    throw "$Script does not parse: $($errors[0])"
}
foreach ($name in 'ConvertTo-NativeArgument', 'Invoke-NativeCommand') {
    $definition = $ast.Find({
            param($node)
            $node -is [System.Management.Automation.Language.FunctionDefinitionAst] -and $node.Name -eq $name
        }, $true)
    if ($null -eq $definition) {
        throw "$Script defines no $name"
    }
    . ([scriptblock]::Create($definition.Extent.Text))
}
# Invoke-NativeCommand names the transcript in its errors.
$LogFile = 'the transcript'
# Where PowerShell expands wildcards in an argument, they match nothing.
Set-Location -LiteralPath $EmptyDir

function ConvertTo-Base64 {
    param([AllowEmptyString()] [string] $Text)
    [Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes($Text))
}

function Invoke-Recorder {
    $global:LASTEXITCODE = 0
    $environment = @{}
    foreach ($argument in $args) {
        foreach ($match in [regex]::Matches([string] $argument, '%([^%]+)%')) {
            $name = $match.Groups[1].Value
            $value = [Environment]::GetEnvironmentVariable($name)
            if ($null -ne $value) {
                $environment[$name] = ConvertTo-Base64 $value
            }
        }
    }
    @{
        Args        = @(foreach ($argument in $args) { ConvertTo-Base64 ([string] $argument) })
        Passing     = [string] (Get-Variable -Name 'PSNativeCommandArgumentPassing' -ValueOnly -ErrorAction 'Ignore')
        Environment = $environment
    }
}

function Set-Version {
    param([string] $Edition, [AllowNull()] [object] $Passing)
    $PSVersionTable['PSEdition'] = $Edition
    Remove-Variable -Name 'PSNativeCommandArgumentPassing' -Scope 'Global' -Force -ErrorAction 'Ignore'
    if ($null -ne $Passing) {
        $global:PSNativeCommandArgumentPassing = [string] $Passing
    }
}

while ($null -ne ($line = [Console]::In.ReadLine())) {
    $request = ConvertFrom-Json -InputObject $line
    $values = [string[]] @(foreach ($value in $request.Values) { [System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($value)) })
    $reply = try {
        $versions = @(foreach ($version in $request.Versions) {
                Set-Version -Edition $version.Edition -Passing $version.Passing
                $before = @([Environment]::GetEnvironmentVariables().Keys | Sort-Object)
                $calls = @(Invoke-NativeCommand -FilePath 'Invoke-Recorder' -Name 'the recorder' -Arguments $values)
                if ($calls.Count -ne 1) {
                    throw "Invoke-NativeCommand called the .exe $($calls.Count) times"
                }
                $left = @([Environment]::GetEnvironmentVariables().Keys | Where-Object { $before -notcontains $_ })
                if ($left.Count -gt 0) {
                    throw "Invoke-NativeCommand left the environment variable $($left[0]) behind"
                }
                $after = Get-Variable -Name 'PSNativeCommandArgumentPassing' -ValueOnly -Scope 'Global' -ErrorAction 'Ignore'
                if ("$after" -ne "$($version.Passing)") {
                    throw "Invoke-NativeCommand changed the session's `$PSNativeCommandArgumentPassing from '$($version.Passing)' to '$after'"
                }
                @{ Name = $version.Name; Call = $calls[0] }
            })
        $real = @(foreach ($passing in $request.Real) {
                Set-Version -Edition 'Core' -Passing $passing
                Remove-Item -LiteralPath $ArgvFile -Force -ErrorAction 'Ignore'
                $null = Invoke-NativeCommand -FilePath $Dumper -Name 'the dumper' -Arguments $values
                @{ Passing = $passing; Argv = [Convert]::ToBase64String([System.IO.File]::ReadAllBytes($ArgvFile)) }
            })
        @{ Versions = $versions; Real = $real }
    }
    catch {
        @{ Error = $_.ToString() }
    }
    [Console]::Out.WriteLine((ConvertTo-Json -InputObject $reply -Depth 8 -Compress))
}
