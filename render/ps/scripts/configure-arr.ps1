#Requires -Version 5.1
#Requires -PSEdition Desktop
#Requires -RunAsAdministrator

<#
.SYNOPSIS
    Puts IIS Application Request Routing in front of the Octopus nodes (octoha).
.DESCRIPTION
    Run this on the IIS server that users reach at the cluster's public
    URL, after installing IIS, URL Rewrite and ARR, in Windows PowerShell
    5.1 (powershell.exe): it loads IIS's Microsoft.Web.Administration.dll,
    a .NET Framework assembly. It creates or updates a server farm with
    every node at its web port (a server that is no longer a node, after
    octoha remove-node, is taken out), a health test on each node's ping URL,
#region octoha:persistence-cookie
    client affinity by cookie, a reverse-proxy rule to the farm for requests
#endregion octoha:persistence-cookie
#region octoha:persistence-source-ip
    a hash of the client address, a reverse-proxy rule to the farm for requests
#endregion octoha:persistence-source-ip
#region octoha:round-robin
    round robin, a reverse-proxy rule to the farm for requests
#endregion octoha:round-robin
    to the public host name, longer proxy timeouts and a request limit big
    enough for package uploads, and the site binding.
#region octoha:public-tls
    A rule ahead of the proxy rule redirects plain http requests for the
    public host name to https, as the NGINX and HAProxy files do, so that
    nothing (a sign-in included) reaches the nodes over the site's http
    binding.
#endregion octoha:public-tls

    The Octopus docs describe ARR only as a single reverse-proxy rule and a
    screenshot of "Create Server Farm" (https://octopus.com/docs/installation/load-balancers/use-iis-as-reverse-proxy); the farm settings
    below are general IIS knowledge [INFER], not Octopus documentation.

    Polling Tentacles are not supported through ARR: it ends TLS, and
    polling Tentacles pin the server's own certificate (https://octopus.com/docs/installation/load-balancers/use-iis-as-reverse-proxy).
#region octoha:polling-mode-unique-address
    These answers use unique-address polling: each tentacle polls every
    node at the node's own name and comms port (https://octopus.com/docs/administration/high-availability/polling-tentacles-with-ha), so no
    polling traffic passes through ARR and nothing needs forwarding.
#endregion octoha:polling-mode-unique-address
#region octoha:listening
    These answers use listening tentacles: the nodes connect out to them
    (https://octopus.com/docs/infrastructure/deployment-targets/tentacle/tentacle-communication), so no tentacle traffic passes through ARR.
#endregion octoha:listening

#region octoha:public-tls
    Safe to run twice: existing settings are updated in place, and an
    https binding with another certificate is replaced. Run it with
#endregion octoha:public-tls
#region octoha:!public-tls
    Safe to run twice: existing settings are updated in place. Run it with
#endregion octoha:!public-tls
    -WhatIf to see every step first. The run is logged under
    $env:ProgramData\octoha\logs.
.PARAMETER SiteName
    The IIS site that receives the public traffic.
.EXAMPLE
    .\configure-arr.ps1
.EXAMPLE
    .\configure-arr.ps1 -WhatIf
    Shows every step without changing anything.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [string] $SiteName = 'Default Web Site'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ScriptName = 'configure-arr'

# octoha:values
$FarmName = 'octopus-ha'
$ProxyRuleName = 'octoha: ' + $FarmName
#region octoha:public-tls
$RedirectRuleName = 'octoha: ' + $FarmName + ' https redirect'
#endregion octoha:public-tls

# octoha:common outcome

# octoha:common transcript-start
try {
#region octoha:polling-mode-unique-port
Write-Warning 'These answers use unique-port polling, which ARR cannot carry (https://octopus.com/docs/installation/load-balancers/use-iis-as-reverse-proxy): forward each node''s polling port on the polling address to its comms port with a TCP passthrough balancer instead.'
#endregion octoha:polling-mode-unique-port
#region octoha:polling-mode-redis
Write-Warning 'These answers use multi-node polling, which ARR cannot carry (https://octopus.com/docs/installation/load-balancers/use-iis-as-reverse-proxy): balance the polling port over the nodes'' comms ports with a TCP passthrough balancer instead.'
#endregion octoha:polling-mode-redis

# URL Rewrite and ARR add their configuration schemas to IIS; without them
# the sections below do not exist ([INFER]: schema file names from IIS).
$inetsrv = [System.IO.Path]::Combine($env:SystemRoot, 'System32', 'inetsrv')
$missing = @(foreach ($schema in @('rewrite_schema.xml', 'arr_schema.xml')) {
        if (-not (Test-Path -LiteralPath ([System.IO.Path]::Combine($inetsrv, 'config', 'schema', $schema)) -PathType 'Leaf')) {
            $schema
        }
    })
if ($missing.Count -gt 0) {
    # The Octopus IIS page names the Web Platform Installer
    # (https://octopus.com/docs/installation/load-balancers/use-iis-as-reverse-proxy), which Microsoft
    # retired in 2022: point at the download pages instead.
    throw ('IIS URL Rewrite and Application Request Routing are not both installed (missing {0}). Install URL Rewrite 2.1 from https://www.iis.net/downloads/microsoft/url-rewrite and then ARR 3.0 from https://www.iis.net/downloads/microsoft/application-request-routing, then run this script again.' -f ($missing -join ', '))
}
#region octoha:public-tls
if ($CertificateThumbprint -notmatch '^[0-9A-Fa-f]{40}$') {
    throw ('The certificate thumbprint {0} is not 40 hex characters. Fix loadBalancer.certificateThumbprint in the answers and render again.' -f $CertificateThumbprint)
}
if (-not (Test-Path -LiteralPath ('Cert:\LocalMachine\My\' + $CertificateThumbprint))) {
    throw ('No certificate with thumbprint {0} is in LocalMachine\My. Import the certificate for {1} there first.' -f $CertificateThumbprint, $PublicHost)
}
#endregion octoha:public-tls

# Microsoft.Web.Administration edits applicationHost.config the way IIS
# Manager does, and takes every value as data.
Add-Type -LiteralPath ([System.IO.Path]::Combine($inetsrv, 'Microsoft.Web.Administration.dll'))
$manager = New-Object -TypeName 'Microsoft.Web.Administration.ServerManager'
$config = $manager.GetApplicationHostConfiguration()
$changed = $false

if ($PSCmdlet.ShouldProcess($FarmName, 'Create or update the server farm')) {
    $farms = $config.GetSection('webFarms').GetCollection()
    $farm = $null
    foreach ($element in $farms) {
        if ($element.GetAttributeValue('name') -eq $FarmName) {
            $farm = $element
        }
    }
    if ($null -eq $farm) {
        $farm = $farms.CreateElement('webFarm')
        $farm.SetAttributeValue('name', $FarmName)
        $null = $farms.Add($farm)
    }
    $farm.SetAttributeValue('enabled', $true)
    $servers = $farm.GetCollection()
    # A node that left the cluster (octoha remove-node) leaves the farm
    # too: remove every server that is not a current node. Enumerate a
    # copy, since Remove changes the collection.
    $wanted = @($Nodes | ForEach-Object { $_.Host })
    foreach ($element in @($servers)) {
        $address = [string] $element.GetAttributeValue('address')
        if ($wanted -notcontains $address) {
            $servers.Remove($element)
            Write-Output ('Removed {0} from farm {1}: it is not a node of the cluster any more.' -f $address, $FarmName)
        }
    }
    foreach ($node in $Nodes) {
        $server = $null
        foreach ($element in $servers) {
            if ($element.GetAttributeValue('address') -eq $node.Host) {
                $server = $element
            }
        }
        if ($null -eq $server) {
            $server = $servers.CreateElement('server')
            $server.SetAttributeValue('address', $node.Host)
            $null = $servers.Add($server)
        }
        $server.SetAttributeValue('enabled', $true)
        $server.GetChildElement('applicationRequestRouting').SetAttributeValue('httpPort', $node.WebPort)
    }
    $routing = $farm.GetChildElement('applicationRequestRouting')
    # ARR sends the health test to every server in the farm when the URL
    # names the farm's public host [INFER, IIS ARR health check docs]. A
    # draining node answers 418 (https://octopus.com/docs/installation/load-balancers). ARR's acceptable status
    # codes default to 200-399 [INFER, IIS ARR docs], so a 418 already marks
    # the node unhealthy: leave "Acceptable status codes" under Health Test
    # at its default (or 200).
    $healthCheck = $routing.GetChildElement('healthCheck')
    $healthCheck.SetAttributeValue('url', ('http://{0}/{1}' -f $PublicHost, $HealthCheckPath.TrimStart('/')))
    $healthCheck.SetAttributeValue('interval', [TimeSpan]::FromSeconds(10))
    $healthCheck.SetAttributeValue('timeout', [TimeSpan]::FromSeconds(5))
#region octoha:persistence-source-ip
    # Source-IP persistence: hash the client address onto a node. Only
    # Octopus before ${octoha:PersistenceFixedIn} needs persistence (https://github.com/OctopusDeploy/Issues/issues/7212).
    $routing.GetChildElement('loadBalancing').SetAttributeValue('algorithm', 'RequestHash')
    $routing.GetChildElement('loadBalancing').SetAttributeValue('hashServerVariable', 'REMOTE_ADDR')
    $routing.GetChildElement('affinity').SetAttributeValue('useCookie', $false)
#endregion octoha:persistence-source-ip
#region octoha:persistence-cookie
    # Cookie persistence (client affinity). Only Octopus before ${octoha:PersistenceFixedIn}
    # needs it (https://octopus.com/docs/installation/load-balancers).
    $routing.GetChildElement('loadBalancing').SetAttributeValue('algorithm', 'WeightedRoundRobin')
    $routing.GetChildElement('affinity').SetAttributeValue('useCookie', $true)
#endregion octoha:persistence-cookie
#region octoha:round-robin
    # Round robin without affinity: the portal is stateless (https://octopus.com/docs/installation/load-balancers).
    $routing.GetChildElement('loadBalancing').SetAttributeValue('algorithm', 'WeightedRoundRobin')
    $routing.GetChildElement('affinity').SetAttributeValue('useCookie', $false)
#endregion octoha:round-robin
    # Package uploads of 1 GB and more take a while (https://octopus.com/docs/installation/load-balancers).
    $routing.GetChildElement('protocol').SetAttributeValue('timeout', [TimeSpan]::FromMinutes(30))
    $changed = $true
}

if ($PSCmdlet.ShouldProcess('system.webServer/proxy', 'Enable the ARR proxy with a long timeout')) {
    $proxy = $config.GetSection('system.webServer/proxy')
    $proxy.SetAttributeValue('enabled', $true)
    $proxy.SetAttributeValue('timeout', [TimeSpan]::FromMinutes(30))
    $changed = $true
}

if ($PSCmdlet.ShouldProcess($FarmName, 'Route every request to the farm (URL Rewrite rule)')) {
    # TLS ends here: the rule sends plain HTTP to the nodes (SSL offloading,
    # https://octopus.com/docs/installation/load-balancers/use-iis-as-reverse-proxy). The portal uses relative links, so no outbound rules.
    $rules = $config.GetSection('system.webServer/rewrite/globalRules').GetCollection()
    $rule = $null
    foreach ($element in $rules) {
        if ($element.GetAttributeValue('name') -eq $ProxyRuleName) {
            $rule = $element
        }
    }
    if ($null -eq $rule) {
        $rule = $rules.CreateElement('rule')
        $rule.SetAttributeValue('name', $ProxyRuleName)
        $null = $rules.Add($rule)
    }
    $rule.SetAttributeValue('patternSyntax', 'Wildcard')
    $rule.SetAttributeValue('stopProcessing', $true)
    $rule.GetChildElement('match').SetAttributeValue('url', '*')
    # A global rule sees every site on this server: proxy only requests for
    # the public host name, with or without its port in the Host header.
    $conditions = $rule.GetChildElement('conditions')
    $conditions.SetAttributeValue('logicalGrouping', 'MatchAny')
    $hostConditions = $conditions.GetCollection()
    $hostConditions.Clear()
    foreach ($hostPattern in @($PublicHost, ('{0}:{1}' -f $PublicHost, $PublicPort))) {
        $condition = $hostConditions.CreateElement('add')
        $condition.SetAttributeValue('input', '{HTTP_HOST}')
        $condition.SetAttributeValue('pattern', $hostPattern)
        $null = $hostConditions.Add($condition)
    }
    $action = $rule.GetChildElement('action')
    $action.SetAttributeValue('type', 'Rewrite')
    $action.SetAttributeValue('url', ('http://' + $FarmName + '/{R:0}'))
    $changed = $true
}
#region octoha:public-tls

$httpsBase = 'https://' + $PublicHost
if ($PublicPort -ne 443) {
    $httpsBase += ':' + $PublicPort
}
if ($PSCmdlet.ShouldProcess(('http://' + $PublicHost), ('Redirect plain http to {0} (URL Rewrite rule)' -f $httpsBase))) {
    # The site keeps its http binding (Default Web Site: http *:80), and the
    # proxy rule matches the host name on any scheme: without this rule,
    # http://<public name>/ would reach the nodes in clear text, sign-ins
    # included. Global rules run in their order in globalRules, and a rule
    # with stopProcessing ends the list (URL Rewrite Module Configuration
    # Reference, https://learn.microsoft.com/iis/extensions/url-rewrite-module/url-rewrite-module-configuration-reference),
    # so the redirect must sit before the proxy rule. Each run removes it
    # and adds it again at the proxy rule's place (AddAt,
    # https://learn.microsoft.com/dotnet/api/microsoft.web.administration.configurationelementcollectionbase-1),
    # so a second run writes the same rule at the same place, whatever
    # order an earlier run or an admin left.
    $rules = $config.GetSection('system.webServer/rewrite/globalRules').GetCollection()
    foreach ($element in @($rules)) {
        if ($element.GetAttributeValue('name') -eq $RedirectRuleName) {
            $rules.Remove($element)
        }
    }
    $proxyAt = $rules.Count
    foreach ($element in $rules) {
        if ($element.GetAttributeValue('name') -eq $ProxyRuleName) {
            $proxyAt = $rules.IndexOf($element)
            break
        }
    }
    $redirect = $rules.CreateElement('rule')
    $redirect.SetAttributeValue('name', $RedirectRuleName)
    $redirect.SetAttributeValue('patternSyntax', 'ECMAScript')
    $redirect.SetAttributeValue('stopProcessing', $true)
    $redirect.GetChildElement('match').SetAttributeValue('url', '.*')
    # Both must hold: the request came over plain http (IIS sets {HTTPS} to
    # OFF, and to ON over TLS: IIS server variables,
    # https://learn.microsoft.com/previous-versions/iis/6.0-sdk/ms524602(v=vs.90))
    # and it names the public host, with or without a port.
    $conditions = $redirect.GetChildElement('conditions')
    $conditions.SetAttributeValue('logicalGrouping', 'MatchAll')
    $redirectConditions = $conditions.GetCollection()
    $tests = @(
        @{ Input = '{HTTPS}'; Pattern = '^OFF$' }
        @{ Input = '{HTTP_HOST}'; Pattern = ('^{0}(:[0-9]+)?$' -f [regex]::Escape($PublicHost)) }
    )
    foreach ($test in $tests) {
        $condition = $redirectConditions.CreateElement('add')
        $condition.SetAttributeValue('input', $test.Input)
        $condition.SetAttributeValue('pattern', $test.Pattern)
        $null = $redirectConditions.Add($condition)
    }
    $action = $redirect.GetChildElement('action')
    $action.SetAttributeValue('type', 'Redirect')
    $action.SetAttributeValue('url', ($httpsBase + '/{R:0}'))
    $action.SetAttributeValue('appendQueryString', $true)
    $action.SetAttributeValue('redirectType', 'Permanent')
    $null = $rules.AddAt($proxyAt, $redirect)
    $changed = $true
}
#endregion octoha:public-tls

if ($PSCmdlet.ShouldProcess('requestFiltering', 'Allow request bodies up to 4 GB')) {
    # Octopus sets no upload limit, IIS's default is 30 MB (https://octopus.com/docs/installation/load-balancers).
    $limits = $config.GetSection('system.webServer/security/requestFiltering').GetChildElement('requestLimits')
    $limits.SetAttributeValue('maxAllowedContentLength', [uint32]::MaxValue)
    $changed = $true
}

$site = $manager.Sites[$SiteName]
if ($null -eq $site) {
    throw ('IIS has no site named {0}. Pass the site that serves {1} as -SiteName.' -f $SiteName, $PublicHost)
}
$bindingInformation = '*:{0}:' -f $PublicPort
$protocol = 'http'
if ($PublicTls) {
    $protocol = 'https'
}
$binding = $null
foreach ($element in $site.Bindings) {
    if ($element.Protocol -eq $protocol -and $element.BindingInformation -eq $bindingInformation) {
        $binding = $element
    }
}
#region octoha:public-tls
# An https binding counts as done only with this certificate: IIS keeps its
# hash as bytes, compared here as hex with the thumbprint.
$boundThumbprint = ''
if ($null -ne $binding -and $null -ne $binding.CertificateHash) {
    $boundThumbprint = [System.BitConverter]::ToString($binding.CertificateHash).Replace('-', '')
}
if ($null -ne $binding -and $boundThumbprint -eq $CertificateThumbprint) {
    Write-Output ('The {0} binding {1} on {2} with certificate {3}: already done.' -f $protocol, $bindingInformation, $SiteName, $CertificateThumbprint)
}
elseif ($PSCmdlet.ShouldProcess($SiteName, ('Bind {0} {1} to certificate {2}' -f $protocol, $bindingInformation, $CertificateThumbprint))) {
    if ($null -ne $binding) {
        # Another certificate: replace the binding.
        Write-Output ('The {0} binding {1} on {2} has certificate {3}: replacing it.' -f $protocol, $bindingInformation, $SiteName, $boundThumbprint)
        $site.Bindings.Remove($binding)
    }
    $hash = [byte[]]::new($CertificateThumbprint.Length / 2)
    for ($i = 0; $i -lt $hash.Length; $i++) {
        $hash[$i] = [System.Convert]::ToByte($CertificateThumbprint.Substring(2 * $i, 2), 16)
    }
    $null = $site.Bindings.Add($bindingInformation, $hash, 'My')
    $changed = $true
}
#endregion octoha:public-tls
#region octoha:!public-tls
if ($null -ne $binding) {
    Write-Output ('The {0} binding {1} on {2}: already done.' -f $protocol, $bindingInformation, $SiteName)
}
elseif ($PSCmdlet.ShouldProcess($SiteName, ('Add the {0} binding {1}' -f $protocol, $bindingInformation))) {
    $null = $site.Bindings.Add($bindingInformation, $protocol)
    $changed = $true
}
#endregion octoha:!public-tls

$done = @()
if ($changed) {
    $manager.CommitChanges()
    $done += ('ARR now balances {0} across {1} nodes in farm {2}.' -f $PublicHost, $Nodes.Count, $FarmName)
}
Write-Outcome -Done $done
}
finally {
    # octoha:common transcript-stop
}
