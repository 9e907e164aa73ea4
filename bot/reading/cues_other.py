"""Cues of messages a person must read: out of scope, abuse, a personal case, a request for a person."""

from __future__ import annotations

from bot.reading.cueset import CueSet

_PERSONAL_GROUPS: list[tuple[float, str]] = [
    # asking for a person, not the bot
    (4.0, "(?:voglio|vorrei|fatemi|fammi|passatemi|mi passate|mi passi|devo|posso) parlare con"
          "|parlare con (?:un |una )?(?:persona|umano|essere umano|operatore umano|persona vera|persona reale)"
          "|(?:operatore|persona|essere) (?:uman[oa]|vera|vero|reale|in carne)|non (?:con )?(?:un |il |questo )?"
          "(?:bot|robot|risponditore|chatbot)|(?:sei|siete|e) un (?:bot|robot)|risposta automatica"
          "|(?:talk|speak|chat) (?:to|with) (?:a |an )?(?:human|person|real|someone real|agent|operator|somebody)"
          "|human being|real person|actual person|a human|not a bot|not a robot|are you a bot|automated reply"
          "|i want to (?:talk|speak)|i need to (?:talk|speak) to"),
    # a personal case: a refund, a fine, a lost item with details, a request already made
    (3.5, "rimborsatemi|rimborsate(?:mi)? i|voglio (?:il |un |indietro )?(?:rimborso|soldi)|rivoglio|ridatemi"
          "|restituitemi|refund me|refund my|refund the|can you refund|could you refund|i want (?:a|my) refund"
          "|transaction|transazione|numero (?:d )?ordine|order number|ordine n|codice transazione|ref|riferimento"
          "|id pratica|codice pratica|numero di pratica|segnalazione n|reclamo n|case number|ticket number"
          "|vi ho (?:gia )?scritto|ho gia scritto|vi scrivo (?:per la|di nuovo|ancora)|already (?:wrote|written"
          "|emailed|called|complained)|wrote to you|written to you|still no (?:reply|answer|response)"
          "|my (?:phone|number|email|mobile) is|il mio (?:numero|cellulare|telefono|email|indirizzo)"
          "|contattatemi|ricontattatemi|scrivetemi|contact me|email me|text me|potete (?:controllare|verificare)"
          "|qualcuno (?:puo|potrebbe) (?:controllare|verificare|cercare)|can someone (?:check|look)"
          "|could someone (?:check|look)|can you check (?:if|whether)|avete trovato|avete ritrovato"
          "|has anyone (?:found|handed)|qualcuno ha (?:trovato|consegnato)|handed in"
          # a request of one's own already made: where it stands is for a person to look up
          "|a che punto e (?:la mia|il mio)|(?:la mia|my) (?:candidatura|application|richiesta|request|pratica|claim"
          "|domanda di \\w+)|stat[oi] (?:della|delle|di) (?:mia |mie )?(?:domanda|richiesta|pratica|candidatura)"
          "|status of my|ho fatto (?:la )?domanda|ho (?:inviato|mandato) (?:il |la |un )?(?:curriculum|cv|domanda"
          "|richiesta|modulo)|i applied|i (?:sent|submitted) (?:my |a |the )?(?:cv|application|request|form|claim)"
          "|non ho (?:ancora )?(?:ricevuto|avuto) (?:risposta|nessuna risposta|notizie|il rimborso)"
          "|haven t heard back|still waiting for (?:my|a|the) (?:refund|reply|answer|card)|never heard back"),
    (2.0, "nessuno (?:mi )?risponde|no one (?:replies|answers|responds)|nobody (?:replies|answers|responds)"),
]
# Cues of a message a person must handle: a request for a person, a personal case.
PERSONAL = CueSet.build("personal", _PERSONAL_GROUPS)
# A city's name that is only a street or square in Rome ("piazza Bologna", "via Napoli").
_NOT_A_STREET = r"(?<!piazza )(?<!piazzale )(?<!via )(?<!viale )(?<!porta )(?<!largo )(?<!corso )(?<!p za )"
OTHER = CueSet.build("other", [
    (4.0, "ristorante|ristoranti|pizzeria|trattoria|restaurant|restaurants|hotel|albergo|museo|musei|museum"
          "|museums|trenitalia|italo|frecciarossa|freccia|intercity|cotral|flixbus|taxi|uber|ncc|meteo|weather"
          "|sindaco|mayor|governo|dimettersi|dimettiti|elezioni|politic\\w*|forza roma|forza lazio|vinciamo"
          "|derby|scudetto|crypto|bitcoin|follow me|link in bio|seguimi|onlyfans|guadagna|solidarieta|fate bene"
          "|hanno ragione|sottopagat[oi]|licenziat[oa]|my name is|mi chiamo|verbale|pratica n|numero pratica"
          "|pratica numero|fine no|fine number|reference number|annullate|annullatela|annullatelo|cancel it"
          "|cancel the fine|mi chiama qualcuno|chiamatemi|call me|nessuna risposta|no reply|no answer"
          "|per entrare|pe entra|per entra|ingresso|entrance fee|treno per|train to|trains to"
          "|sono un (?:autista|dipendente|conducente|macchinista|controllore)|sono dipendente|cambio turno"
          "|i m a (?:driver|bus driver|employee)|i work for you|as an employee|busta paga|my shift|il mio turno"),
    (2.5, "incapaci|ladri|idioti|buffoni|pagliacci|cialtroni|merda|vaffanculo|fanculo|stronzi|stronzo"
          f"|idiots|morons|clowns|fuck|fucking|{_NOT_A_STREET}(?:firenze|napoli|milano|venezia|bologna|torino)"
          "|florence|naples"
          "|milan|venice|tivoli|raccomand\\w*|recommend|cappella sistina|sistina|fontana di trevi|monumenti"
          "|mostra|concerto|treno da|train from|trains from"),
    *_PERSONAL_GROUPS,
    # out of scope: food, weather, sights, shopping
    (4.0, "pizza|pizze|pizzeria|gelato|gelateria|carbonara|amatriciana|cacio e pepe|aperitivo|dove si mangia"
          "|dove mangiare|mangiare bene|where to eat|place to eat|good food|best food|best (?:pizza|gelato|coffee"
          "|restaurant|bar|view)|dinner|lunch|breakfast|brunch|cosa vedere|cosa visitare|things to do"
          "|what to see|sightseeing|shopping|negozi aperti|supermercato|supermarket|farmacia|pharmacy"
          "|previsioni del tempo|che tempo fa|forecast"),
    (2.5, "piovera|pioggia domani|will it rain|is it going to rain"),
    # a question announced, not asked: a person reads it
    (2.5, "ho una domanda|una domanda|una curiosita|una info|un informazione|informazione per favore"
          "|posso chiedere|posso farvi una domanda|i have a question|quick question|a question"
          "|can i ask (?:you )?(?:something|a question)"),
])
# Places and things outside the network (sights, food, other cities): a FAQ answer near them is checked.
OUT_OF_SCOPE = CueSet.build("out of scope", [
    (1.0, "ristorante|ristoranti|pizzeria|trattoria|restaurant|restaurants|hotel|albergo|museo|musei|museum"
          "|museums|meteo|weather|per entrare|per entra|ingresso|entrance fee|cappella sistina|sistina"
          "|fontana di trevi|monumenti|mostra|concerto|pizza|gelato|gelateria|dinner|lunch|breakfast|tickets? to"
          f"|{_NOT_A_STREET}(?:firenze|napoli|milano|venezia|bologna|torino)|florence|naples|milan|venice"),
])
# Sights, museums and monuments: a question about visiting them is out of scope unless it is about
# getting there (then a transit word is in the message too: "metro", "bus", "fermata").
SIGHTS = CueSet.build("sights", [
    (1.0, "colosseo|colosseum|pantheon|fontana di trevi|trevi fountain|musei vaticani|vatican museums?"
          "|cappella sistina|sistine chapel|basilica(?: di san pietro)?|st peter s|castel sant angelo"
          "|galleria borghese|borghese gallery|fori imperiali|foro romano|roman forum|palatino|palatine"
          "|bocca della verita|altare della patria|vittoriano|terme di caracalla|baths of caracalla"
          "|catacombe|catacombs|museo|musei|museum|museums|mostra|exhibition|monumento|monumenti|monument"
          "|chiesa|church|zoo|bioparco|scavi|ruins|rovine|gallery|galleria nazionale"),
])
# Visiting a place (opening hours, admission) and the transit words that make it a question for us.
VISITING = CueSet.build("visiting", [
    (1.0, "apre|aprono|chiude|chiudono|aperto|aperta|chiuso|chiusa|orari di apertura|orario di apertura"
          "|ingresso|biglietto d ingresso|entrare|entra|visitare|visita|prenotare la visita|open|opens|close"
          "|closes|opening|closing|admission|entry|entrance|visit|visiting|skip the line|salta fila"),
])
TRANSIT_WORDS = CueSet.build("transit", [
    (1.0, "metro|metropolitana|stazione|station|fermata|fermate|stop|stops|bus|autobus|tram|linea|line"
          "|treno|treni|train|trains|navetta|shuttle|capolinea|biglietteria|ticket office|mezzi|subway"),
])
