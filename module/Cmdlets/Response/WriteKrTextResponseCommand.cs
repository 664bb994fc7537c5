// Write-KrTextResponse: writes text (or objects formatted as the console shows them) as the response, with the
// status code and content type, in one call to the engine.
using System.Collections.ObjectModel;
using System.Text;

namespace KestrunRust.Cmdlets
{
    /// <summary>Write-KrTextResponse: values piped in (or an array given to -InputObject) become one line each,
    /// joined with "\n"; each run of other objects is formatted together by Out-String (one table).</summary>
    [Cmdlet(VerbsCommunications.Write, "KrTextResponse")]
    public sealed class WriteKrTextResponseCommand : KrRouteCmdlet
    {
        private const string OutString = "Microsoft.PowerShell.Utility\\Out-String";
        private const int OutStringWidth = 4096;

        private readonly List<object> _items = new List<object>(1);

        /// <summary>The text (or object) to write.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true), Alias("Text"), AllowNull, AllowEmptyString]
        public object InputObject { get; set; }

        /// <summary>The HTTP status code, 100..999.</summary>
        [Parameter, ValidateRange(100, 999)]
        public int StatusCode { get; set; } = 200;

        /// <summary>The Content-Type header.</summary>
        [Parameter, ValidateNotNullOrEmpty]
        public string ContentType { get; set; } = "text/plain; charset=utf-8";

        protected override void ProcessRecord()
        {
            // An array given to -InputObject is written as if it had been piped.
            KrPipelineValue.AddEnumerated(_items, InputObject);
        }

        protected override void EndProcessing()
        {
            string text = _items.Count == 1 && _items[0] is string single ? single : Format();
            try
            {
                RequireContext().Write(StatusCode, ContentType, text);
            }
            catch (Exception error) when (!(error is PipelineStoppedException))
            {
                ThrowFailure(error, "KrWriteTextResponseFailed", StatusCode);
            }
        }

        /// <summary>Simple values (strings, value types, $null) one line each, as [string] converts them; each run of
        /// other objects formatted together by Out-String -Width 4096 (trailing white space trimmed).</summary>
        private string Format()
        {
            var body = new StringBuilder();
            List<object> objects = null;
            bool first = true;
            foreach (object item in _items)
            {
                if (item == null || item is string || item is ValueType)
                {
                    if (objects != null)
                    {
                        AppendLine(body, ref first, FormatObjects(objects));
                        objects = null;
                    }
                    AppendLine(body, ref first, item == null ? string.Empty : item as string ?? (string)LanguagePrimitives.ConvertTo(item, typeof(string), CultureInfo.InvariantCulture));
                }
                else
                {
                    (objects ??= new List<object>()).Add(item);
                }
            }
            if (objects != null)
            {
                AppendLine(body, ref first, FormatObjects(objects));
            }
            return body.ToString();
        }

        private static void AppendLine(StringBuilder body, ref bool first, string line)
        {
            if (!first)
            {
                body.Append('\n');
            }
            body.Append(line);
            first = false;
        }

        /// <summary>(Out-String -InputObject <paramref name="objects"/> -Width 4096).TrimEnd(), in this runspace.</summary>
        private string FormatObjects(List<object> objects)
        {
            using (PowerShell shell = PowerShell.Create(RunspaceMode.CurrentRunspace))
            {
                shell.AddCommand(OutString).AddParameter("InputObject", objects).AddParameter("Width", OutStringWidth);
                Collection<PSObject> output = shell.Invoke();
                foreach (ErrorRecord error in shell.Streams.Error)
                {
                    WriteError(error);
                }
                string text = output.Count > 0 ? output[0]?.BaseObject as string : null;
                return (text ?? string.Empty).TrimEnd();
            }
        }
    }
}
