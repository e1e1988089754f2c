using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.Market.Model;
using Gateway.Market.Validation;

namespace Gateway.Market.Contracts;

/// <summary>
/// Reads and writes a round as JSON (the `clear` verb's input and the worker's journal). Reading reports every missing,
/// malformed or out-of-range field by its JSON path; unknown members are rejected so a typo never silently becomes a default.
/// </summary>
public static class RoundJson
{
    internal static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Parses and validates a round; throws <see cref="RoundValidationException"/> naming each bad field.</summary>
    public static MarketRound Parse(string json)
    {
        RoundDocument? doc;
        try
        {
            doc = JsonSerializer.Deserialize<RoundDocument>(json, Options);
        }
        catch (JsonException e)
        {
            throw new RoundValidationException(new[] { new ValidationError(PathOf(e.Path), "malformed JSON: " + FirstSentence(e.Message)) });
        }

        if (doc is null) throw new RoundValidationException(new[] { new ValidationError("$", "the round must be a JSON object") });
        var errors = new List<ValidationError>();
        var round = ToModel(doc, errors);
        if (errors.Count == 0) errors.AddRange(RoundValidator.Validate(round));
        if (errors.Count > 0) throw new RoundValidationException(errors);
        return round;
    }

    /// <summary>Writes a round in the same JSON shape <see cref="Parse"/> reads.</summary>
    public static string Serialize(MarketRound round)
    {
        var doc = new RoundDocument
        {
            RoundId = round.RoundId,
            IntervalHours = round.IntervalHours,
            GridPricePerKwh = round.GridPricePerKwh,
            FeedInPricePerKwh = round.FeedInPricePerKwh,
            Participants = round.Participants.Select(p => (ParticipantDocument?)new ParticipantDocument
            {
                Id = p.Id, Kind = p.Kind == ParticipantKind.Ev ? "ev" : "pv", Role = p.Role == TradeRole.Buyer ? "buyer" : "seller",
                Node = p.NodeId, EnergyKwh = p.EnergyKwh, MaxPowerKw = p.MaxPowerKw, MaxTrades = p.MaxTrades,
                ConsumptionKwhPerKm = p.ConsumptionKwhPerKm, DistanceKm = p.DistanceKm, ChargingPricePerKwh = p.ChargingPricePerKwh,
                Efficiency = p.Efficiency, BatteryWearPerKwh = p.BatteryWearPerKwh, MaintenancePerKwh = p.MaintenancePerKwh,
                BatteryWearPerTrade = p.BatteryWearPerTrade,
            }).ToList(),
            Smes = round.Smes is { } s ? new SmesDocument
            {
                Id = s.Id, Node = s.NodeId, InductanceH = s.InductanceH, CurrentA = s.CurrentA, MinCurrentA = s.MinCurrentA,
                MaxCurrentA = s.MaxCurrentA, MaxPowerKw = s.MaxPowerKw, Efficiency = s.Efficiency, MaintenancePerKwh = s.MaintenancePerKwh,
            } : null,
            Feeder = new FeederDocument
            {
                Root = round.Feeder.RootNodeId,
                Nodes = round.Feeder.Nodes.Select(n => (NodeDocument?)new NodeDocument { Id = n.Id, BaseLoadKw = n.BaseLoadKw }).ToList(),
                Lines = round.Feeder.Lines.Select(l => (LineDocument?)new LineDocument { Id = l.Id, From = l.FromNodeId, To = l.ToNodeId, LimitKw = l.LimitKw }).ToList(),
            },
            Rules = ToDocument(round.Rules),
        };
        return JsonSerializer.Serialize(doc, Options);
    }

    private static MarketRound ToModel(RoundDocument doc, List<ValidationError> errors)
    {
        T Required<T>(T? value, string path) where T : struct
        {
            if (value is null) errors.Add(new ValidationError(path, "required"));
            return value ?? default;
        }

        string RequiredText(string? value, string path)
        {
            if (string.IsNullOrWhiteSpace(value)) errors.Add(new ValidationError(path, "required"));
            return value ?? "";
        }

        var participants = new List<Quotation>();
        if (doc.Participants is null) errors.Add(new ValidationError("participants", "required"));
        else
        {
            for (var i = 0; i < doc.Participants.Count; i++)
            {
                var at = $"participants[{i}]";
                var p = doc.Participants[i];
                if (p is null) { errors.Add(new ValidationError(at, "must be an object")); continue; }
                var kindText = RequiredText(p.Kind, at + ".kind");
                var roleText = RequiredText(p.Role, at + ".role");
                ParticipantKind kind = ParticipantKind.Ev;
                TradeRole role = TradeRole.Buyer;
                if (kindText.Length > 0)
                {
                    if (kindText == "ev") kind = ParticipantKind.Ev;
                    else if (kindText == "pv") kind = ParticipantKind.Pv;
                    else errors.Add(new ValidationError(at + ".kind", $"must be \"ev\" or \"pv\", not \"{kindText}\""));
                }

                if (roleText.Length > 0)
                {
                    if (roleText == "buyer") role = TradeRole.Buyer;
                    else if (roleText == "seller") role = TradeRole.Seller;
                    else errors.Add(new ValidationError(at + ".role", $"must be \"buyer\" or \"seller\", not \"{roleText}\""));
                }

                participants.Add(new Quotation(
                    RequiredText(p.Id, at + ".id"), kind, role, RequiredText(p.Node, at + ".node"),
                    Required(p.EnergyKwh, at + ".energyKwh"), Required(p.MaxPowerKw, at + ".maxPowerKw"), p.MaxTrades ?? 1,
                    p.ConsumptionKwhPerKm ?? 0, p.DistanceKm ?? 0, p.ChargingPricePerKwh ?? 0, p.Efficiency ?? 1,
                    p.BatteryWearPerKwh ?? 0, p.MaintenancePerKwh ?? 0, p.BatteryWearPerTrade ?? 0));
            }
        }

        SmesUnit? smes = null;
        if (doc.Smes is { } s)
        {
            smes = new SmesUnit(
                RequiredText(s.Id, "smes.id"), RequiredText(s.Node, "smes.node"), Required(s.InductanceH, "smes.inductanceH"),
                Required(s.CurrentA, "smes.currentA"), s.MinCurrentA ?? 0, Required(s.MaxCurrentA, "smes.maxCurrentA"),
                Required(s.MaxPowerKw, "smes.maxPowerKw"), s.Efficiency ?? 1, s.MaintenancePerKwh ?? 0);
        }

        var nodes = new List<FeederNode>();
        var lines = new List<FeederLine>();
        var root = "";
        if (doc.Feeder is null) errors.Add(new ValidationError("feeder", "required"));
        else
        {
            root = RequiredText(doc.Feeder.Root, "feeder.root");
            if (doc.Feeder.Nodes is null) errors.Add(new ValidationError("feeder.nodes", "required"));
            else
            {
                for (var i = 0; i < doc.Feeder.Nodes.Count; i++)
                {
                    var n = doc.Feeder.Nodes[i];
                    if (n is null) { errors.Add(new ValidationError($"feeder.nodes[{i}]", "must be an object")); continue; }
                    nodes.Add(new FeederNode(RequiredText(n.Id, $"feeder.nodes[{i}].id"), n.BaseLoadKw ?? 0));
                }
            }

            for (var i = 0; i < (doc.Feeder.Lines?.Count ?? 0); i++)
            {
                var l = doc.Feeder.Lines![i];
                var at = $"feeder.lines[{i}]";
                if (l is null) { errors.Add(new ValidationError(at, "must be an object")); continue; }
                lines.Add(new FeederLine(RequiredText(l.Id, at + ".id"), RequiredText(l.From, at + ".from"), RequiredText(l.To, at + ".to"), Required(l.LimitKw, at + ".limitKw")));
            }
        }

        return new MarketRound(
            RequiredText(doc.RoundId, "roundId"), Required(doc.IntervalHours, "intervalHours"), Required(doc.GridPricePerKwh, "gridPricePerKwh"),
            Required(doc.FeedInPricePerKwh, "feedInPricePerKwh"), participants, smes, new Feeder(root, nodes, lines))
        {
            Rules = ToRules(doc.Rules, (path, message) => errors.Add(new ValidationError(path, message))),
        };
    }

    /// <summary>Reads the <c>rules</c> object (null = the paper's rules); unknown names are reported through <paramref name="fail"/>.</summary>
    public static MarketRules ToRules(RulesDocument? doc, Action<string, string> fail)
    {
        if (doc is null) return MarketRules.Paper;
        var d = MarketRules.Paper;
        return new MarketRules
        {
            Execution = MarketRuleNames.Parse(MarketRuleNames.Execution, doc.Execution, d.Execution, "rules.execution", fail),
            BuyerTravel = MarketRuleNames.Parse(MarketRuleNames.BuyerTravelPrice, doc.BuyerTravelPrice, d.BuyerTravel, "rules.buyerTravelPrice", fail),
            TravelCost = MarketRuleNames.Parse(MarketRuleNames.TravelCost, doc.TravelCost, d.TravelCost, "rules.travelCost", fail),
            SmesSettlement = MarketRuleNames.Parse(MarketRuleNames.SmesSettlement, doc.SmesSettlement, d.SmesSettlement, "rules.smesSettlement", fail),
            ExecutionNodeBudget = doc.ExecutionNodeBudget ?? d.ExecutionNodeBudget,
        };
    }

    /// <summary>The <c>rules</c> object of <paramref name="rules"/>, every member spelled out.</summary>
    public static RulesDocument ToDocument(MarketRules rules) => new()
    {
        Execution = MarketRuleNames.NameOf(MarketRuleNames.Execution, rules.Execution),
        BuyerTravelPrice = MarketRuleNames.NameOf(MarketRuleNames.BuyerTravelPrice, rules.BuyerTravel),
        TravelCost = MarketRuleNames.NameOf(MarketRuleNames.TravelCost, rules.TravelCost),
        SmesSettlement = MarketRuleNames.NameOf(MarketRuleNames.SmesSettlement, rules.SmesSettlement),
        ExecutionNodeBudget = rules.ExecutionNodeBudget,
    };

    private static string PathOf(string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$") return "$";
        return jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
