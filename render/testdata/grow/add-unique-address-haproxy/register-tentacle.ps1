#Requires -Version 5.1
#Requires -RunAsAdministrator

<#
.SYNOPSIS
    Registers this machine's Tentacle with the Octopus Server HA cluster (octoha).
.DESCRIPTION
    Run this on each deployment target after installing the Tentacle MSI.
    It creates the Tentacle instance, makes its certificate, configures it
    as a polling Tentacle (unique-address) and registers it with the cluster
    at the first node's comms address, then adds every other node with
    poll-server: each node queues work for a polling Tentacle in its own
    memory, so the Tentacle must poll every node (reference §6.2).
    Polling with --server-comms-address needs Tentacle 6.3.341 or later.

    Safe to run twice: register-with runs with --force (reference §6.3).
    Every run configures and registers the Tentacle again, so an installed
    Tentacle service is restarted to read it: run it when no deployment is
    using this machine. Run it with -WhatIf to see every step first.

    The run is logged under $env:ProgramData\octoha\logs. The script prints
    no secret, so the API key never reaches that transcript. But Tentacle.exe
    takes the API key only as a command-line argument: it is visible to
    local administrators while the command runs, and is recorded wherever
    command-line auditing is on (Security event 4688, Sysmon event 1,
    PowerShell module logging event 4103). Tentacle.exe documents no other
    way to pass it; a short-lived key limits the harm.
.PARAMETER ApiKey
    An Octopus API key (API-...) of a user allowed to register targets.
.PARAMETER Name
    The name the target gets in Octopus; the computer name by default.
.PARAMETER Environments
    The environments the target belongs to.
.PARAMETER Roles
    The target's roles (tags).
.PARAMETER Space
    The Octopus space; empty for the default space.
.PARAMETER InstallDir
    The folder Tentacle.exe is installed in.
.PARAMETER HomeDirectory
    The Tentacle's home folder.
.PARAMETER ApplicationsDirectory
    Where the Tentacle unpacks deployed packages.
.EXAMPLE
    $key = Read-Host -AsSecureString -Prompt 'Octopus API key'
    .\register-tentacle.ps1 -ApiKey $key
.EXAMPLE
    .\register-tentacle.ps1 -WhatIf
    Shows every step without changing anything.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)]
    [SecureString] $ApiKey,
    [string] $Name = $env:COMPUTERNAME,
    [string[]] $Environments = @('Production'),
    [string[]] $Roles = @('web-server'),
    [string] $Space = '',
    [string] $InstallDir = 'C:\Program Files\Octopus Deploy\Tentacle',
    [string] $HomeDirectory = 'C:\Octopus',
    [string] $ApplicationsDirectory = 'C:\Octopus\Applications'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ScriptName = 'register-tentacle'

# Values from the octoha answers file.
$Instance = 'Tentacle'
$ServiceName = 'OctopusDeploy Tentacle'
# --server is the cluster's public web URL, behind the balancer (reference §6.3).
$ServerUrl = 'https://octopus.corp.local'

function ConvertTo-NativeArgument {
    <#
    .SYNOPSIS
        Escapes one argument for an .exe by the Windows (MSVC) rules.
    .DESCRIPTION
        PowerShell 7.3 and later escape arguments themselves. With legacy
        argument passing (Windows PowerShell 5.1, PowerShell 7.0 to 7.2, or
        $PSNativeCommandArgumentPassing = 'Legacy') an embedded double quote
        is not escaped, so a password holding a " would reach the .exe split
        in two, and an empty argument is dropped: escape both here.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string] $Value
    )
    $passing = Get-Variable -Name 'PSNativeCommandArgumentPassing' -ValueOnly -ErrorAction 'Ignore'
    if ($null -ne $passing -and "$passing" -ne 'Legacy') {
        return $Value
    }
    if ($Value -eq '') {
        return '""'
    }
    $escaped = [regex]::Replace($Value, '(\\*)"', '$1$1\"')
    # Both editions wrap an argument holding a space in double quotes.
    # PowerShell 7's legacy mode then doubles its trailing backslashes
    # itself; Windows PowerShell 5.1 (Desktop) does not, so a value ending
    # in \ would escape the closing quote: double them here on 5.1 only.
    if ($PSVersionTable.PSEdition -eq 'Desktop' -and $escaped -match '\s') {
        $escaped = [regex]::Replace($escaped, '(\\+)$', '$1$1')
    }
    return $escaped
}

function Invoke-NativeCommand {
    <#
    .SYNOPSIS
        Runs an .exe and throws when it cannot start or exits non-zero.
    .DESCRIPTION
        The error names the command (Name) but never its arguments, which
        may hold a secret.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string] $FilePath,
        [Parameter(Mandatory)]
        [string] $Name,
        [string[]] $Arguments = @()
    )
    $native = @(foreach ($argument in $Arguments) { ConvertTo-NativeArgument -Value $argument })
    # A tool's stderr must not stop the script (Windows PowerShell 5.1
    # turns it into errors under 'Stop'): the exit code decides.
    $ErrorActionPreference = 'Continue'
    $exitCode = $null
    try {
        & $FilePath @native
        # Read at once: only an .exe that ran sets it, so an earlier
        # command's code is never taken for this one's.
        $exitCode = $LASTEXITCODE
    }
    catch {
        # The .exe did not start (AppLocker or WDAC, access denied): under
        # 'Continue' that error would only be printed, and the previous
        # command's exit code (often 0) would pass for success.
        $ErrorActionPreference = 'Stop'
        throw ('{0} could not run: {1}' -f $Name, $_.Exception.Message)
    }
    finally {
        $ErrorActionPreference = 'Stop'
    }
    if ($null -eq $exitCode) {
        throw ('{0} ran but reported no exit code. Read its output above; this run is logged in {1}.' -f $Name, $LogFile)
    }
    if ($exitCode -ne 0) {
        throw ('{0} failed with exit code {1}. Read its output above; this run is logged in {2}.' -f $Name, $exitCode, $LogFile)
    }
}

function Get-InstanceName {
    <#
    .SYNOPSIS
        Reads the instance names from list-instances --format json output.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string] $Json
    )
    $start = $Json.IndexOf('[')
    $end = $Json.LastIndexOf(']')
    if ($start -lt 0 -or $end -lt $start) {
        throw 'list-instances printed no JSON list of instances. Run it by hand with --format json to see why.'
    }
    # Windows PowerShell 5.1 emits a JSON array as ONE object (an empty
    # array for []), PowerShell 7 emits its items: foreach over the value
    # handles both. Wrapping the call in @() would, on 5.1, hold an empty
    # array whose .InstanceName throws under Set-StrictMode.
    $parsed = ConvertFrom-Json -InputObject $Json.Substring($start, $end - $start + 1)
    foreach ($instance in $parsed) {
        if ($null -ne $instance -and $null -ne $instance.PSObject.Properties['InstanceName']) {
            $instance.InstanceName
        }
    }
}

function Write-Outcome {
    <#
    .SYNOPSIS
        The run's last lines: what it did, or under -WhatIf that it changed
        nothing, so a -WhatIf run never claims the work was done.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [string[]] $Done
    )
    if ($WhatIfPreference) {
        return '-WhatIf: nothing was changed. Run the script without -WhatIf to make the changes listed above.'
    }
    $Done
}

function Invoke-Tentacle {
    <#
    .SYNOPSIS
        Runs one Tentacle.exe command and checks its exit code.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string] $Command,
        [string[]] $Arguments = @()
    )
    # --console, as the Tentacle automation docs advise (reference §6.4).
    Invoke-NativeCommand -FilePath $TentacleExe -Name ('Tentacle.exe ' + $Command) -Arguments (@($Command, '--console') + $Arguments)
}

function Get-CommsAddress {
    <#
    .SYNOPSIS
        The https://host:port address a polling Tentacle polls. The port is
        always given: without one Tentacle would use 443 (reference §6.3).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [string] $CommsHost,
        [Parameter(Mandatory)]
        [int] $CommsPort
    )
    'https://{0}:{1}' -f $CommsHost, $CommsPort
}

function Add-PollingServer {
    <#
    .SYNOPSIS
        Makes the Tentacle poll one more node (poll-server, reference §6.3).
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)]
        [string] $CommsHost,
        [Parameter(Mandatory)]
        [int] $CommsPort
    )
    $address = Get-CommsAddress -CommsHost $CommsHost -CommsPort $CommsPort
    if ($PSCmdlet.ShouldProcess($address, 'Poll this node too')) {
        # --apiKey is taken only as an argument: it is visible to local
        # administrators while the command runs and in command-line audit
        # logs where those are enabled; Tentacle.exe documents no other way.
        Invoke-Tentacle -Command 'poll-server' -Arguments @('--instance', $Instance, '--server', $ServerUrl, '--server-comms-address', $address, '--apiKey', [System.Net.NetworkCredential]::new('', $ApiKey).Password)
        Assert-PollsAddress -Address $address
    }
}

function Test-PollsAddress {
    <#
    .SYNOPSIS
        True when the Tentacle's configuration names the comms address.
    .DESCRIPTION
        [INFER] The reference lists Tentacle.exe show-configuration but not
        its output; Tentacle keeps each trusted server's Address as
        https://host:port/ (reference §6.4, Tentacle.config). So this looks
        for the address anywhere in that output, not followed by another
        digit of a longer port.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string] $Configuration,
        [Parameter(Mandatory)]
        [string] $Address
    )
    $pattern = [regex]::Escape($Address) + '(?![0-9])'
    return [regex]::IsMatch($Configuration, $pattern, [System.Text.RegularExpressions.RegexOptions]::IgnoreCase)
}

function Assert-PollsAddress {
    <#
    .SYNOPSIS
        Throws unless show-configuration now lists the comms address.
    .DESCRIPTION
        [INFER] poll-server's exit code is not documented to prove that the
        address was added (reference §6.3 is silent), and an older
        PollCommand returns 0 without adding it: read the configuration
        again after poll-server and stop if the address is missing.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string] $Address
    )
    $configuration = (Invoke-Tentacle -Command 'show-configuration' -Arguments @('--instance', $Instance)) -join "`n"
    if (-not (Test-PollsAddress -Configuration $configuration -Address $Address)) {
        throw ('poll-server ran, but the Tentacle configuration (show-configuration) does not list {0}: this Tentacle does not poll that node. Install a current Tentacle MSI and run this script again.' -f $Address)
    }
}

# Everything this script prints is kept in a transcript. The script prints
# no secret, so none reaches the transcript.
$LogDir = [System.IO.Path]::Combine($env:ProgramData, 'octoha', 'logs')
$LogFile = [System.IO.Path]::Combine($LogDir, ('{0}-{1:yyyyMMdd-HHmmss}.log' -f $ScriptName, (Get-Date)))
$null = New-Item -ItemType 'Directory' -Path $LogDir -Force -WhatIf:$false
$null = Start-Transcript -LiteralPath $LogFile -Append -WhatIf:$false
try {
$TentacleExe = [System.IO.Path]::Combine($InstallDir, 'Tentacle.exe')
if (-not (Test-Path -LiteralPath $TentacleExe -PathType 'Leaf')) {
    throw ('Tentacle.exe is not in {0}. Install the Octopus Tentacle MSI on this machine first, or pass -InstallDir.' -f $InstallDir)
}
# --server-comms-address appeared in Tentacle 6.3.341 (reference §6.3).
$installedVersion = (Get-Item -LiteralPath $TentacleExe).VersionInfo.FileVersion
$parsedVersion = $null
if (-not [version]::TryParse("$installedVersion", [ref] $parsedVersion) -or $parsedVersion -lt [version] '6.3.341') {
    throw ('Tentacle.exe here is version {0}; polling a cluster needs --server-comms-address, which needs Tentacle 6.3.341 or later. Install a current Tentacle MSI and run this script again.' -f $installedVersion)
}

# create-instance is skipped when the instance exists. Tentacle's
# list-instances --format json prints [{"InstanceName": ...}] (OctopusTentacle
# ListInstancesCommand.cs; the flag is not in octoha's reference).
$ConfigFile = [System.IO.Path]::Combine($HomeDirectory, 'Tentacle', $Instance + '.config')
$existing = @(Get-InstanceName -Json ((Invoke-Tentacle -Command 'list-instances' -Arguments @('--format', 'json')) -join "`n"))
if ($existing -contains $Instance) {
    Write-Output ('Tentacle instance {0} already exists: already done.' -f $Instance)
}
elseif ($PSCmdlet.ShouldProcess($Instance, 'Create the Tentacle instance')) {
    Invoke-Tentacle -Command 'create-instance' -Arguments @('--instance', $Instance, '--config', $ConfigFile)
}

if ($PSCmdlet.ShouldProcess($Instance, 'Create the Tentacle certificate if it has none, and set its folders')) {
    Invoke-Tentacle -Command 'new-certificate' -Arguments @('--instance', $Instance, '--if-blank')
    Invoke-Tentacle -Command 'configure' -Arguments @('--instance', $Instance, '--home', $HomeDirectory, '--app', $ApplicationsDirectory)
}

if ($PSCmdlet.ShouldProcess($Instance, 'Stop listening: this Tentacle polls')) {
    Invoke-Tentacle -Command 'configure' -Arguments @('--instance', $Instance, '--noListen', 'True')
}
$registerArguments = @('--instance', $Instance, '--server', $ServerUrl, '--name', $Name, '--comms-style', 'TentacleActive', '--server-comms-address', (Get-CommsAddress -CommsHost 'octo1.corp.local' -CommsPort 10943), '--force')
if ($Space -ne '') {
    $registerArguments += @('--space', $Space)
}
foreach ($environment in $Environments) {
    $registerArguments += @('--environment', $environment)
}
foreach ($role in $Roles) {
    $registerArguments += @('--role', $role)
}
if ($PSCmdlet.ShouldProcess($ServerUrl, ('Register {0}' -f $Name))) {
    # --apiKey is taken only as an argument: it is visible to local
    # administrators while the command runs and in command-line audit logs
    # where those are enabled; Tentacle.exe documents no other way.
    Invoke-Tentacle -Command 'register-with' -Arguments ($registerArguments + @('--apiKey', [System.Net.NetworkCredential]::new('', $ApiKey).Password))
}

# Poll every other node as well (reference §6.4).
Add-PollingServer -CommsHost 'octo2.corp.local' -CommsPort 10943
Add-PollingServer -CommsHost 'octo3.corp.local' -CommsPort 10943
Add-PollingServer -CommsHost 'octo4.corp.local' -CommsPort 10943

# A new Tentacle is installed and started. An installed one restarts: it
# reads its trusted servers only on start (reference §6.3), and every run
# configures and registers it again.
$service = Get-Service -ErrorAction 'Ignore' | Where-Object { $_.Name -eq $ServiceName }
if ($null -eq $service) {
    if ($PSCmdlet.ShouldProcess($ServiceName, 'Install and start the Tentacle service')) {
        Invoke-Tentacle -Command 'service' -Arguments @('--instance', $Instance, '--install', '--start')
    }
}
elseif ($PSCmdlet.ShouldProcess($ServiceName, 'Restart the Tentacle service')) {
    Invoke-Tentacle -Command 'service' -Arguments @('--instance', $Instance, '--restart')
}
Write-Outcome -Done ('Tentacle {0} is registered with {1}.' -f $Name, $ServerUrl)
}
finally {
    # Under -WhatIf, Stop-Transcript (which takes -WhatIf from PowerShell 7.4
    # on; Windows PowerShell 5.1's has none) would only say what it would do,
    # and leave the transcript recording the rest of the session.
    $WhatIfPreference = $false
    $null = Stop-Transcript
}
