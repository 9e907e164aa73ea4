"""Cues of a complaint and of each kind of problem (complaint categories), Italian and English."""

from __future__ import annotations

from bot.cueset import N, CueSet

COMPLAINT = CueSet.build("complaint", [
    (2.5, "vergogna|vergognoso|vergognosa|schifo|che schifo|fa schifo|fate schifo|indecente|inaccettabile"
          "|inammissibile|ridicolo|ridicola|assurd[oa]|pazzesc[oa]|allucinante|scandalo|scandalos[oa]"
          "|imbarazzante|disastro|ennesim[oa]|come al solito|al solito|classico|mai una volta"
          "|(?:ora|adesso|mo) basta|basta (?:cosi|con|ritardi|scuse)|^basta"
          "|fate qualcosa|pessim[oa]|orribile|inumano|disumano|indegno|degrado|senza vergogna|organizzazione zero"
          "|zero organizzazione|ridiculous|joke|disgrace|disgraceful|unacceptable|terrible|awful|worst"
          "|useless|pathetic|shameful|fed up|sick of|do something|inhumane|nightmare|what s the point"
          "|every single day|cosa vi aspettavate|non e possibile|ma come e possibile|che bel servizio|bel servizio"
          "|same story|solita storia|stessa storia|e normale che|ma e normale|vi sembra normale|ti sembra normale"
          "|vi sembra giusto|e mai possibile|com e possibile|come e possibile|possibile che|ma che state a f\\w*"
          "|che state a fa\\w*|ma che fate|che ci state a fa\\w*|ma ci fate|ma vi rendete conto|ovviamente"
          "|is it normal that|how is it possible|how come|what are you doing|seriously|are you kidding|per l ennesima"
          "|thanks for nothing|thank you for nothing|grazie per (?:niente|nulla)|grazie tante|bel lavoro davvero"),
    (2.0, "aspetto da|aspettato|sto aspettando da|ho aspettato|waited \\d+|waited for \\d+|waited over"
          "|been waiting|waiting for \\d+"
          f"|da {N} minuti|da {N} min|da mezz ora|da un ora|un ora|mezz ora|per {N} minuti|for {N} minutes"
          "|never came|never showed|didn t come|did not come|non e passato|non passa|non passano|passa mai"
          "|non arriva|non arrivava|non e arrivato|mai arrivato|corsa saltata|corse saltate|soppress[aei]"
          f"|arrivano {N} insieme|tutti insieme|arrivo tardi|arrivato tardi|late for work|again|di nuovo"
          "|ancora una volta|ogni giorno|ogni mattina|tutti i giorni|every day|every morning"
          "|mettete piu|aumentate|non si sale|impossibile"
          "|un altra (?:mattina|mattinata|giornata|sera|serata|volta|ora|corsa)|another (?:morning|day|evening|hour)"),
])
# Complaint categories: cues for each kind of problem (they also count towards "complaint").
CATEGORIES: dict[str, CueSet] = {
    "delay": CueSet.build("delay", [
        (3.0, "ritardo|ritardi|in ritardo|non passa|non passano|passa mai|never came|never showed|late|delay"
              f"|delayed|aspetto da|ho aspettato|waited \\d+|waited for \\d+|been waiting|da {N} minuti|da mezz ora|un ora"
              f"|arrivano {N} insieme|tutti insieme|arrivo tardi|late for work|mins late|minutes late"
              f"|ci ha messo|ci mette|{N} ore per|{N} minuti per|{N} min per|{N} minutes for|at once|all at once"
          f"|bunched|after {N} mins|after {N} minutes|lent[oaie]|lentissim[oaie]|a passo d uomo|lumaca|slow|slowly"
          "|crawl\\w*|snail|took (?:an|one|half an) hour|ci ha messo (?:un ora|mezz ora)|took forever"),
        (1.5, f"ogni {N} minuti|ogni {N} min|{N} min between|{N} minutes between|treni ogni|frequenza"),
    ]),
    "crowding": CueSet.build("crowding", [
        (3.0, "sardine|pien[oaie]|strapien[oaie]|affollat[oaie]|calca|carro bestiame|pigiati|schiacciati"
              "|non si sale|non si respira|packed|crowded|rammed|overcrowded|couldn t get on|could not get on"
              "|left behind|no room|like sardines|spinge|spingono|pieno come un uovo"),
    ]),
    "skipped_stop": CueSet.build("skipped_stop", [
        (3.5, "saltat[oa] la fermata|salta la fermata|saltato fermata|non si e fermat[oa]|non si ferma"
              "|non ha fermato|senza fermarsi|tirato dritto|tira dritto|drove past|drove straight past|didn t stop"
              "|did not stop|skipped my stop|skipped the stop|passed without stopping|went past my stop"
              "|non ha aperto le porte|fermate di fila|non si e nemmeno fermat[oa]|non si e neanche fermat[oa]"
              "|non ha nemmeno fermato|skipped stops"),
    ]),
    "cleanliness": CueSet.build("cleanliness", [
        (3.0, "sporc\\w*|sporch\\w*|puzzo|puzza|puzzano|urina|pipi|vomito|rifiuti|immondizia"
              "|spazzatura|scarafaggi|topi|sudicio|lerci[oa]|filthy|dirty|trash|rubbish|smell|smells|stinks"
              "|stinking|vomit|urine|sticky|cockroach|rats|degrado"),
    ]),
    "climate": CueSet.build("climate", [
        (3.0, "riscaldamento|aria condizionata|condizionatore|climatizzatore|aria irrespirabile|caldo|freddo"
              "|gelo|si gela|si muore di caldo|forno|sauna|finestrini|gradi dentro|heating|air con|air conditioning"
              "|aircon|freezing|boiling|too hot|too cold|no ac|sweltering|stuffy"),
    ]),
    "staff": CueSet.build("staff", [
        (3.0, "maleducat[oaie]|maleducatissim[oa]|sgarbat[oa]|scortese|villano|ha urlato|urlava|insultat[oa]"
              "|al telefono|al cellulare|col telefono|guidava con una mano|ripartit[oa] mentre|rude|yelled"
              "|shouted|on his phone|on her phone|laughed|closed the doors in my face|ignored me|unprofessional"),
        (1.0, "autista|autisti|conducente|controllore|controllori|personale|driver|inspector|staff"),
    ]),
    "accessibility": CueSet.build("accessibility", [
        (3.0, "ascensore|ascensori|scale mobili|scala mobile|rampa|pedana|carrozzina|sedia a rotelle"
              "|disabil[ei]|non vedent[ei]|lift|elevator|escalator|escalators|ramp|wheelchair|step free"
              "|out of order|stairs"),
    ]),
    "safety": CueSet.build("safety", [
        (3.0, "borseggiator[ei]|borseggio|scippo|furto|rubato|rubata|molest\\w*|aggression[ei]|aggredit[oa]"
              "|insicur[oa]|pericolos[oa]|droga|spacciatori|ubriach[ie]|risse|rissa|pickpocket\\w*|harass\\w*"
              "|unsafe|dangerous|drunk|thieves|robbed|nessun controllo|mai un controllo"),
    ]),
    "ticketing": CueSet.build("ticketing", [
        (3.0, "macchinett[ae]|emettitric[ei]|biglietteria automatica|tornell[oi]|validatric[ei]|obliteratric[ei]"
              "|scalato|addebitat[oa]|addebito|due volte|2 volte|non accetta|non accettano|pagato due volte"
              "|ticket machine|ticket machines|gate|gates|turnstile|charged twice|double charged|rejected my card"
              "|card rejected|validator|didn t accept"),
    ]),
    "information": CueSet.build("information", [
        (3.0, "(?:nessun|nemmeno un|neanche un|manco un|senza) (?:cartello|avviso|annuncio)|zero informazioni"
              "|nessuno che (?:ti |ci )?dica|nessuno (?:ti |ci )?dice|nessuno sa niente|nobody tells|no one tells"
              "|nessun avviso|nessun cartello|nessuna informazione|nessuna comunicazione|zero annunci|nessun annuncio"
              "|senza avvisi|senza nessun avviso|display|pannell[oi]|tabellon[ei]|palina elettronica|info sbagliate"
              "|informazioni sbagliate|app sbagliata|no sign|no signs|no information|no announcement|no info"
              "|wrong information|said \\d+ min|l app dice|app says"),
    ]),
    "other": CueSet.build("other", [
        (3.0, "rumore|rumoros[oi]|lavori notturni|non si dorme|inquin\\w*|scarico|fumo nero|noise|noisy|pollution"),
    ]),
}
