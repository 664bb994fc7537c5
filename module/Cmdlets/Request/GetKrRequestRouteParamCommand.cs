// Get-KrRequestRouteParam: a route parameter of the current request (see KrRequestValueCmdlet).
using System.Management.Automation;

namespace KestrunRust.Cmdlets
{
    /// <summary>Get-KrRequestRouteParam: the value of route parameter -Name (a {name} segment of the route's pattern), or $null.</summary>
    [Cmdlet(VerbsCommon.Get, "KrRequestRouteParam", DefaultParameterSetName = DefaultSet)]
    [OutputType(typeof(string), typeof(int), typeof(bool), typeof(double))]
    public sealed class GetKrRequestRouteParamCommand : KrRequestValueCmdlet
    {
        public GetKrRequestRouteParamCommand() : base("route parameter", "KrGetRequestRouteParamFailed")
        {
        }

        protected override string Read(KrRequestContext context, string name)
        {
            return context.GetRouteParam(name);
        }
    }
}
