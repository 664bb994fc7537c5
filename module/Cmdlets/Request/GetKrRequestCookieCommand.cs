// Get-KrRequestCookie: a cookie of the current request (see KrRequestValueCmdlet).
using System.Management.Automation;

namespace KestrunRust.Cmdlets
{
    /// <summary>Get-KrRequestCookie: the value of the request cookie -Name, or $null.</summary>
    [Cmdlet(VerbsCommon.Get, "KrRequestCookie", DefaultParameterSetName = DefaultSet)]
    [OutputType(typeof(string), typeof(int), typeof(bool), typeof(double))]
    public sealed class GetKrRequestCookieCommand : KrRequestValueCmdlet
    {
        public GetKrRequestCookieCommand() : base("cookie", "KrGetRequestCookieFailed")
        {
        }

        protected override string Read(KrRequestContext context, string name)
        {
            return context.GetCookie(name);
        }
    }
}
