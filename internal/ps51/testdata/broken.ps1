# A script that breaks every rule of the Windows PowerShell 5.1 check
# once or more: each line marked "want: <rule>" must be reported with that
# rule, and no other line may be. The lines without a mark are the traps a
# check that is too eager would fall into.
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)]
    [string] $Name,
    [int] $Port = 80,
    [switch] $Force
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

function Get-Thing {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string] $Path,
        [int] $Count = 1,
        [switch] $Recurse
    )
    # $Name is the script's: every call below comes after it is set.
    '{0} {1} {2} {3}' -f $Path, $Count, $Recurse, $Name
}

function Show-Late {
    # Called once before $late is assigned.
    $late # want: strict
}

function Test-Attribute {
    # Never called: only the attribute is wrong.
    [CmdletBinding(SupportsShouldProcess, PositionalBinding = $false)]
    param(
        [Parameter(Mandatory, ValueFromPipe)] # want: dotnet
        [string] $Value
    )
    $Value
}

function Write-Simple($Text) {
    $Text
}

# cmdlet: commands, parameters, parameter sets and enum values of 5.1.
Get-Content -LiteralPath 'a.txt' -Encoding 'UTF8'
Get-Content -LiteralPath 'a.txt' -Encoding 'utf8NoBOM' # want: cmdlet
Get-Content -LiteralPath 'a.txt' -AsByteStream # want: cmdlet
Test-Path -LiteralPath 'a' -PathType 'Leaf'
Test-Path -LiteralPath 'a' -PathType 'File' # want: cmdlet
Test-Path -Path 'a' -LiteralPath 'b' # want: cmdlet
$null = Get-Service -Name 'x' -ErrorAction 'Ignore'
$null = Get-Service -Name 'x' -ErrorAction 'Break' # want: cmdlet
$null = Get-Service -Name 'x' -ProgressAction 'SilentlyContinue' # want: cmdlet
$null = Get-Service -Nam 'x' # want: cmdlet
$null = 1..3 | ForEach-Object -Parallel { $_ } # want: cmdlet
$null = 'a', 'b' | Join-String # want: cmdlet
$settings = ConvertFrom-Json -InputObject '{}' -AsHashtable # want: cmdlet
Set-Service -Name 'x' -StartupType 'AutomaticDelayedStart' # want: cmdlet
New-Item -ItemType 'Folder' -Path 'c' -WhatIf # want: cmdlet
New-Item -ItemType 'Directory' -Path 'c' -WhatIf
Start-Sleep 5
Start-Sleep 5 6 # want: cmdlet
Start-Sleep -Seconds 0.5 # want: cmdlet
Write-Output 'done'

# dotnet: types and members on the allow-list.
$full = [System.IO.Path]::Combine('a', 'b')
$joined = [System.IO.Path]::Join('a', 'b') # want: dotnet
$version = [semver] '1.0.0' # want: dotnet
$builder = New-Object -TypeName 'System.Text.StringBuilder' # want: dotnet
$left = $Name.Substring(0, 1)
$flag = $Name.Contains('x')
$nothing = $Name.Bogus() # want: dotnet
$mystery = $builder.Frobnicate # want: dotnet
$prop = 'Length'
$dynamic = $Name.$prop # want: dotnet
$secret = [System.Net.NetworkCredential]::new('', (Read-Host -AsSecureString)).Password.ToLowerInvariant()

# strict: variables assigned on every path first.
if ($Port -gt 80) {
    $both = 1
    $one = 1
}
else {
    $both = 2
}
Write-Output $both
Write-Output $one # want: strict
foreach ($item in @(1, 2)) {
    $inLoop = $item
}
Write-Output $item # want: strict
Write-Output $inLoop # want: strict
try {
    $tried = Get-Date
}
catch {
    Write-Output $_.Exception.Message
    throw
}
Write-Output $tried
try {
    $maybe = Get-Date
}
catch {
    Write-Warning $_.Exception.Message
}
Write-Output $maybe # want: strict
$null = $Force -and ($andSet = 1)
Write-Output $andSet # want: strict
Write-Output $neverSet # want: strict
Write-Output $LASTEXITCODE # want: strict
& 'C:\Windows\System32\sc.exe' query
Write-Output $LASTEXITCODE
if ('abc' -match 'b') {
    Write-Output $Matches[0]
}
Write-Output $IsWindows # want: ps7
Write-Output $env:ProgramData
$count = 0
$count += 1
$total += 1 # want: strict
[string] $typed = 'x'
Write-Output $typed
$first, $second = 1, 2
Write-Output $first $second
$piped = @(1, 2) | Where-Object { $_ -gt 1 }
Write-Output $piped
Show-Late
$late = 1
Show-Late

# function: calls of the script's own functions.
Get-Thing -Path 'a'
Get-Thing -Path 'a' -Count 2 -Recurse -Verbose
Get-Thing 'a' 2
Get-Thing -Path 'a' -Depth 3 # want: function
Get-Thing -Count 2 # want: function
Get-Thing 'a' 2 3 # want: function
Get-Thing -Path 'a' -WhatIf # want: function
Write-Simple -Text 'x'
Write-Simple -Colour 'red' # want: function
Show-Later # want: function
function Show-Later {
    'later'
}
Show-Later

# ps7: PowerShell 6 and 7 syntax.
$ternary = $Force ? 1 : 2 # want: ps7
$coalesce = $null ?? 'x' # want: ps7
$coalesce ??= 'y' # want: ps7
$length = ${Name}?.Length # want: ps7
Get-Date && Get-Date # want: ps7
$replaced = 'abc' -replace 'b', { 'B' } # want: ps7
$big = 1u # want: ps7
$bits = 0b101 # want: ps7
$escape = "`e[1m" # want: ps7
$fine = "``e and `$x"
Write-Output $full $joined $version $left $flag $nothing $mystery $dynamic $secret $settings $ternary $length $replaced $big $bits $escape $fine
